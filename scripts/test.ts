/**
 * The whole suite, as CI runs it: lint, types, builds, then the tests on embedded PGlite, again on
 * PostgreSQL, the multi-node tests on PostgreSQL + Redis, and the browser tests in Chromium.
 * `node scripts/test.ts <stage…>` runs only the named stages.
 */
import { spawnSync } from 'node:child_process';

// Test stages run on the Node that runs this script (24), not whatever `node` comes first on PATH.
const serverTests = ['apps/server/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'];

const stages: Record<string, { title: string; cmd: string[]; env?: Record<string, string> }> = {
  lint: { title: 'Lint and format (Biome)', cmd: ['npx', 'biome', 'check', '.'] },
  typecheck: { title: 'Type check', cmd: ['npm', 'run', 'typecheck', '--silent'] },
  build: { title: 'Build widget and dashboard', cmd: ['npm', 'run', 'build', '--silent'] },
  pglite: {
    title: 'Tests on PGlite',
    cmd: [process.execPath, '--test', '--test-concurrency=2', ...serverTests],
    env: { PARLEY_TEST_DB: 'pglite' },
  },
  postgres: {
    title: 'Tests on PostgreSQL',
    cmd: [process.execPath, '--test', '--test-concurrency=2', ...serverTests],
    env: { PARLEY_TEST_DB: 'postgres' },
  },
  multinode: {
    title: 'Multi-node tests on PostgreSQL + Redis',
    cmd: [process.execPath, '--test', '--test-concurrency=1', 'apps/server/test/multinode/*.test.ts'],
    env: { PARLEY_TEST_DB: 'postgres' },
  },
  e2e: {
    title: 'Browser tests (Chromium)',
    cmd: [process.execPath, '--test', '--test-concurrency=1', 'e2e/**/*.test.ts'],
  },
};

const requested = process.argv.slice(2);
const order = requested.length > 0 ? requested : Object.keys(stages);
let failed: string[] = [];
for (const name of order) {
  const stage = stages[name];
  if (!stage) {
    process.stderr.write(`Unknown stage "${name}". Stages: ${Object.keys(stages).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`\n=== ${stage.title} ===\n`);
  const [command, ...args] = stage.cmd as [string, ...string[]];
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...stage.env } });
  if (result.status !== 0) failed = [...failed, name];
}
if (failed.length > 0) {
  process.stdout.write(`\nFailed stages: ${failed.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write('\nAll stages passed.\n');
