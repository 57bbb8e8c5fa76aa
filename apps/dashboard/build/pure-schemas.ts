import path from 'node:path';
import type { Plugin } from 'vite';

interface Node {
  type: string;
  start: number;
  end: number;
}
interface Declarator extends Node {
  init: Node | null;
}
interface Declaration extends Node {
  kind?: string;
  declarations?: Declarator[];
  declaration?: Declaration | null;
}

/**
 * `@parley/shared` builds its zod schemas at module level (`export const x = z.object(...)`). The
 * dashboard uses the types and a few constants, not the schemas, but a bundler must keep any call it
 * cannot prove pure, so every schema and all of zod would ship. This marks each top-level `const`
 * initialised by a call as a pure immediately invoked function: it still runs on import, and the
 * bundler may drop it when nothing reads it.
 */
export function pureSharedSchemas(sharedDir: string): Plugin {
  const root = `${path.resolve(sharedDir)}${path.sep}`;
  return {
    name: 'parley-pure-shared-schemas',
    apply: 'build',
    transform(code, id) {
      if (!id.startsWith(root) || !id.endsWith('.ts')) return null;
      const program = this.parse(code, { lang: 'ts' }) as unknown as { body: Declaration[] };
      const spans: Array<[number, number]> = [];
      for (const statement of program.body) {
        const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
        if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') continue;
        for (const declarator of declaration.declarations ?? []) {
          const init = declarator.init;
          if (init && init.type === 'CallExpression') spans.push([init.start, init.end]);
        }
      }
      if (spans.length === 0) return null;
      let out = code;
      for (const [start, end] of spans.reverse())
        out = `${out.slice(0, start)}/* @__PURE__ */ (() => ${out.slice(start, end)})()${out.slice(end)}`;
      return { code: out, map: null };
    },
  };
}
