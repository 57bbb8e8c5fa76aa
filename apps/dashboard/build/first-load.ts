import path from 'node:path';

/**
 * Which library modules the first load needs. Libraries like Mantine and Tabler icons are imported
 * through one index file that re-exports hundreds of modules; a plain walk of the import graph would
 * count every component as needed. This follows named imports through such index files to the
 * modules that define them, so only what the entry actually uses is counted.
 */

interface ModuleInfo {
  code: string | null;
  importedIds: readonly string[];
}
export interface ModuleGraph {
  getModuleInfo(id: string): ModuleInfo | null;
}

interface Specifier {
  imported: string;
  local: string;
}
interface Statement {
  source: string;
  /** null: the whole module (default, namespace, side-effect or `export *` imports). */
  names: Specifier[] | null;
}

const namedImport = /\bimport\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g;
const namedReExport = /\bexport\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g;
const otherImport =
  /\b(?:import\s+(?:[\w$]+\s*,?\s*)?(?:\*\s*as\s+[\w$]+\s*)?from|import|export\s*\*\s*(?:as\s+[\w$]+\s*)?from)\s*["']([^"']+)["']/g;
const localExport = /\bexport\s*\{([^}]*)\}(?!\s*from)/g;

function specifiers(list: string): Specifier[] {
  return (
    list
      .split(',')
      .map((part) => part.trim())
      // Types are erased: `import { type X }` needs nothing at run time.
      .filter((part) => part.length > 0 && !part.startsWith('type '))
      .map((part) => {
        const [imported = part, local = imported] = part.split(/\s+as\s+/);
        return { imported, local };
      })
  );
}

function parseCode(code: string) {
  const statements: Statement[] = [];
  const exportsByName = new Map<string, Specifier & { source: string }>();
  const importsByLocal = new Map<string, Specifier & { source: string }>();
  for (const match of code.matchAll(namedImport)) {
    const names = specifiers(match[1] ?? '');
    statements.push({ source: match[2] ?? '', names });
    for (const s of names) importsByLocal.set(s.local, { ...s, source: match[2] ?? '' });
  }
  for (const match of code.matchAll(namedReExport)) {
    const names = specifiers(match[1] ?? '');
    statements.push({ source: match[2] ?? '', names });
    for (const s of names)
      exportsByName.set(s.local, { imported: s.imported, local: s.local, source: match[2] ?? '' });
  }
  for (const match of code.matchAll(otherImport)) statements.push({ source: match[1] ?? '', names: null });
  for (const match of code.matchAll(localExport))
    for (const s of specifiers(match[1] ?? '')) {
      const viaImport = importsByLocal.get(s.imported);
      if (viaImport) exportsByName.set(s.local, viaImport);
    }
  return { statements, exportsByName };
}

const isLibrary = (id: string) => id.includes(`${path.sep}node_modules${path.sep}`);

/** The resolved id of an import specifier among the module's imports. */
function resolve(from: string, source: string, importedIds: readonly string[]): string | undefined {
  if (source.startsWith('.')) {
    const target = path.resolve(path.dirname(from), source);
    return importedIds.find((id) => id === target || id.split('?')[0] === target);
  }
  const parts = source.split('/');
  const name = source.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? source);
  const marker = `${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`;
  const subpath = parts.slice(source.startsWith('@') ? 2 : 1).join(path.sep);
  const found = importedIds.filter((id) => id.includes(marker));
  // `@mantine/core` and `@mantine/core/styles.css` both resolve into the package: tell them apart.
  const matching = subpath
    ? found.filter((id) => id.split('?')[0]?.endsWith(subpath))
    : found.filter((id) => !/\.css(\?|$)/.test(id));
  return matching.length === 1 ? matching[0] : undefined;
}

export function firstLoadModules(entry: string, graph: ModuleGraph): Set<string> {
  const needed = new Set<string>();
  const whole = new Set<string>();
  const namesSeen = new Map<string, Set<string>>();

  const parsed = new Map<string, ReturnType<typeof parseCode>>();
  const parse = (id: string, code: string) => {
    const known = parsed.get(id);
    if (known) return known;
    const result = parseCode(code);
    parsed.set(id, result);
    return result;
  };

  const visitWhole = (id: string) => {
    if (whole.has(id)) return;
    whole.add(id);
    needed.add(id);
    const info = graph.getModuleInfo(id);
    if (!info) return;
    const followed = new Set<string>();
    if (info.code && isLibrary(id)) {
      for (const statement of parse(id, info.code).statements) {
        const target = resolve(id, statement.source, info.importedIds);
        if (!target) continue;
        followed.add(target);
        if (statement.names)
          visitNames(
            target,
            statement.names.map((s) => s.imported),
          );
        else visitWhole(target);
      }
    } else if (info.code) {
      // Our own modules: their imports are direct, but library imports still go through index files.
      for (const statement of parse(id, info.code).statements) {
        const target = resolve(id, statement.source, info.importedIds);
        if (!target || !isLibrary(target) || !statement.names) continue;
        followed.add(target);
        visitNames(
          target,
          statement.names.map((s) => s.imported),
        );
      }
    }
    for (const target of info.importedIds) if (!followed.has(target)) visitWhole(target);
  };

  const visitNames = (id: string, names: string[]) => {
    if (whole.has(id)) return;
    const seen = namesSeen.get(id) ?? new Set<string>();
    namesSeen.set(id, seen);
    const fresh = names.filter((name) => !seen.has(name));
    if (fresh.length === 0) return;
    for (const name of fresh) seen.add(name);
    const info = graph.getModuleInfo(id);
    if (!info?.code) return visitWhole(id);
    const { exportsByName } = parse(id, info.code);
    needed.add(id);
    for (const name of fresh) {
      const reExport = exportsByName.get(name);
      const target = reExport && resolve(id, reExport.source, info.importedIds);
      // Defined here (or not understood): the module itself is needed, with everything it imports.
      if (!reExport || !target) return visitWhole(id);
      visitNames(target, [reExport.imported]);
    }
  };

  visitWhole(entry);
  return needed;
}
