import { firstLoadModules, type ModuleGraph } from './first-load.ts';

/**
 * How the dashboard build splits its output. Libraries that change rarely get their own files, so a
 * release that only touches our code keeps them in the browser cache. Only the library modules the
 * first load uses go there: a Mantine component or icon used by one settings section stays with that
 * section (grouping them all would pull every screen's components into the first load, and leaving
 * them all to the bundler scatters the first load over dozens of tiny shared files).
 */

const vendors: Array<{ name: string; test: RegExp }> = [
  { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
  { name: 'query', test: /[\\/]node_modules[\\/]@tanstack[\\/]/ },
  { name: 'icons', test: /[\\/]node_modules[\\/]@tabler[\\/]/ },
  // Message attachments are read through a schema of @parley/shared.
  { name: 'zod', test: /[\\/]node_modules[\\/]zod[\\/]/ },
  // Mantine and what it is built on.
  { name: 'mantine', test: /[\\/]node_modules[\\/]/ },
];

/** English and the feature strings; the other languages' dictionaries load on demand (src/i18n/index.tsx). */
const strings = /[\\/]src[\\/]i18n[\\/](en\.ts|features[\\/])/;

export function chunkNamer(entry: string): (id: string, graph: ModuleGraph) => string | null {
  let firstLoad: Set<string> | undefined;
  return (id, graph) => {
    if (strings.test(id)) return 'strings';
    firstLoad ??= firstLoadModules(entry, graph);
    if (!firstLoad.has(id)) return null;
    return vendors.find((candidate) => candidate.test.test(id))?.name ?? null;
  };
}
