import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Gzip bytes the first load may fetch before the inbox can paint: the entry chunk and its static imports. */
export interface SizeBudget {
  initialJs: number;
  initialCss: number;
}

const gzipSize = (data: string | Uint8Array) => gzipSync(data, { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

/**
 * Prints what the first load costs and fails the build when it grows past the budget, so a heavy
 * import into the inbox shows up in review instead of in every agent's first load. Lazily loaded
 * screens are listed but not counted: they load on first visit.
 */
export function sizeBudget(budget: SizeBudget): Plugin {
  return {
    name: 'parley-size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, { code: string; imports: string[]; css: string[]; isEntry: boolean }>();
      const assets = new Map<string, string | Uint8Array>();
      for (const output of Object.values(bundle)) {
        if (output.type === 'chunk') {
          chunks.set(output.fileName, {
            code: output.code,
            imports: output.imports,
            css: [...(output.viteMetadata?.importedCss ?? [])],
            isEntry: output.isEntry,
          });
        } else {
          assets.set(output.fileName, output.source);
        }
      }
      const entry = [...chunks.entries()].find(([, chunk]) => chunk.isEntry);
      if (!entry) return this.error('size budget: no entry chunk');

      // Static imports only: modulepreload fetches them with the entry; dynamic ones wait for a visit.
      const initial = new Set<string>();
      const visit = (fileName: string) => {
        if (initial.has(fileName)) return;
        initial.add(fileName);
        for (const imported of chunks.get(fileName)?.imports ?? []) visit(imported);
      };
      visit(entry[0]);
      const initialCss = new Set([...initial].flatMap((name) => chunks.get(name)?.css ?? []));

      const rows = [...chunks.entries()]
        .map(([name, chunk]) => ({
          name,
          raw: chunk.code.length,
          gzip: gzipSize(chunk.code),
          initial: initial.has(name),
        }))
        .sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);
      const js = rows.filter((row) => row.initial).reduce((sum, row) => sum + row.gzip, 0);
      const css = [...initialCss].reduce((sum, name) => {
        const source = assets.get(name);
        return sum + (source === undefined ? 0 : gzipSize(source));
      }, 0);

      const lines = ['', 'Dashboard chunks (raw / gzip):'];
      for (const row of rows)
        lines.push(
          `  ${row.initial ? '*' : ' '} ${row.name.padEnd(44)} ${kb(row.raw).padStart(10)}  ${kb(row.gzip).padStart(9)}`,
        );
      lines.push(`  (* = loaded with the entry)`);
      lines.push(`  initial JS:   ${kb(js)} of ${kb(budget.initialJs)} budget`);
      lines.push(`  initial CSS:  ${kb(css)} of ${kb(budget.initialCss)} budget`, '');
      process.stdout.write(`${lines.join('\n')}\n`);

      const over: string[] = [];
      if (js > budget.initialJs) over.push(`initial JS is ${kb(js)} gzip (budget ${kb(budget.initialJs)})`);
      if (css > budget.initialCss)
        over.push(`initial CSS is ${kb(css)} gzip (budget ${kb(budget.initialCss)})`);
      if (over.length > 0) this.error(`Size budget exceeded:\n${over.map((o) => `  - ${o}`).join('\n')}`);
    },
  };
}
