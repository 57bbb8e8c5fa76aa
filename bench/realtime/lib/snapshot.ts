import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './procs.ts';

/**
 * A copy of the server as committed at HEAD, in a temporary directory whose node_modules points at the
 * repository's (except the workspace packages, which point into the copy). Benchmarking it keeps a long
 * run on one known version while the working tree keeps changing.
 */
export function makeSnapshot(): { dir: string; commit: string; remove: () => void } {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-src-'));
  const archive = execFileSync(
    'git',
    ['archive', '--format=tar', 'HEAD', 'package.json', 'apps/server', 'packages/shared'],
    {
      cwd: ROOT,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const modules = path.join(dir, 'node_modules');
  mkdirSync(path.join(modules, '@parley'), { recursive: true });
  for (const entry of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry === '@parley' || entry === '.bin') continue;
    symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  symlinkSync('../../packages/shared', path.join(modules, '@parley', 'shared'));
  symlinkSync('../../apps/server', path.join(modules, '@parley', 'server'));
  return { dir, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
