/**
 * Builds the widget into dist/: the loader (widget.js), the iframe app (hashed JS and CSS under
 * assets/) and frame.html, plus manifest.json for the server. Fails when a size budget is exceeded.
 * Run with `npm run build` (Node 24).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
const BUDGET = { loader: 3 * 1024, frame: 40 * 1024 };

const gzipSize = (data: string | Buffer) => gzipSync(data, { level: 9 }).length;
const hash = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 10);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

/** An IIFE bundle: nothing leaks into the global scope of the page (or the frame). */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    jsx: 'transform',
    jsxFactory: 'h',
    jsxFragment: 'Fragment',
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`no output for ${entry}`);
  return file.text;
}

async function main(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(path.join(dist, 'assets'), { recursive: true });

  const loader = await bundle('src/loader/index.ts');
  writeFileSync(path.join(dist, 'widget.js'), loader);

  const js = await bundle('src/frame/main.ts');
  const cssResult = await build({
    entryPoints: [path.join(root, 'src/frame/styles.css')],
    bundle: true,
    write: false,
    minify: true,
    target: ['chrome90', 'firefox90', 'safari15'],
    logLevel: 'warning',
  });
  const css = cssResult.outputFiles[0]?.text ?? '';
  const jsName = `frame.${hash(js)}.js`;
  const cssName = `frame.${hash(css)}.css`;
  writeFileSync(path.join(dist, 'assets', jsName), js);
  writeFileSync(path.join(dist, 'assets', cssName), css);

  // Relative asset URLs: the frame lives at /widget/frame, its assets at /widget/assets/.
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>Chat</title>
<link rel="stylesheet" href="assets/${cssName}">
<script defer src="assets/${jsName}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
  writeFileSync(path.join(dist, 'frame.html'), html);
  writeFileSync(
    path.join(dist, 'manifest.json'),
    `${JSON.stringify({ loader: 'widget.js', frame: 'frame.html', assets: [jsName, cssName] }, null, 2)}\n`,
  );

  const sizes = {
    loader: gzipSize(loader),
    frameHtml: gzipSize(html),
    frameJs: gzipSize(js),
    frameCss: gzipSize(css),
  };
  const frameTotal = sizes.frameHtml + sizes.frameJs + sizes.frameCss;
  const rows = [
    ['widget.js (loader)', loader.length, sizes.loader],
    ['frame.html', html.length, sizes.frameHtml],
    [jsName, js.length, sizes.frameJs],
    [cssName, css.length, sizes.frameCss],
  ] as const;
  process.stdout.write('Widget build (raw / gzip):\n');
  for (const [name, raw, gz] of rows)
    process.stdout.write(`  ${name.padEnd(28)} ${kb(raw).padStart(10)}  ${kb(gz).padStart(9)}\n`);
  process.stdout.write(`  loader:               ${kb(sizes.loader)} of ${kb(BUDGET.loader)} budget\n`);
  process.stdout.write(`  iframe initial load:  ${kb(frameTotal)} of ${kb(BUDGET.frame)} budget\n`);

  const over: string[] = [];
  if (sizes.loader > BUDGET.loader)
    over.push(`loader is ${kb(sizes.loader)} gzip (budget ${kb(BUDGET.loader)})`);
  if (frameTotal > BUDGET.frame)
    over.push(`iframe app is ${kb(frameTotal)} gzip (budget ${kb(BUDGET.frame)})`);
  if (over.length > 0) {
    process.stderr.write(`Size budget exceeded:\n${over.map((o) => `  - ${o}`).join('\n')}\n`);
    process.exit(1);
  }
  // Sanity: the server finds the files through the manifest.
  JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
