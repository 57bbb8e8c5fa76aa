import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard is served by the Parley server from `dist` (see apps/server/src/modules/dashboard).
 * `npm run dev -w @parley/dashboard` proxies the API to a server on :3000; add the dev origin to
 * ALLOWED_ORIGINS there so cookie writes are accepted.
 */
export default defineConfig({
  plugins: [react()],
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
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/realtime': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
