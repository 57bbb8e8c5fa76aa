import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { chunkNamer } from './build/chunks.ts';
import { pureSharedSchemas } from './build/pure-schemas.ts';
import { sizeBudget } from './build/size-budget.ts';

/**
 * The dashboard is served by the Parley server from `dist` (see apps/server/src/modules/dashboard).
 * `npm run dev -w @parley/dashboard` proxies the API to a server on :3000; add the dev origin to
 * ALLOWED_ORIGINS there so cookie writes are accepted.
 */
export default defineConfig({
  plugins: [
    react(),
    pureSharedSchemas(fileURLToPath(new URL('../../packages/shared/src', import.meta.url))),
    // Gzip bytes of the entry and its static imports; see README.md before raising it.
    sizeBudget({ initialJs: 305 * 1024, initialCss: 42 * 1024 }),
  ],
  resolve: {
    alias: {
      '@parley/shared': fileURLToPath(new URL('../../packages/shared/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The server's CSP allows no inline script; keep every script in a file.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: chunkNamer(fileURLToPath(new URL('./src/main.tsx', import.meta.url))),
              debugName: 'vendors and strings',
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/realtime': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
