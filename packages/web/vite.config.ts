import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const sdk = (path: string) => fileURLToPath(new URL(`../sdk/src/${path}`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The app uses the SDK's client and the contract's types straight from source: no build order
    // between workspaces, and only the client (not the TypeBox schemas) lands in the bundle.
    alias: [{ find: /^@vigil\/sdk\/client$/, replacement: sdk('client.ts') }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // The budget is 250 KB compressed for the first load (web UI issue); the browser test
    // (test/first-day.browser.test.ts) measures and asserts it.
    chunkSizeWarningLimit: 600,
  },
  // `npm exec -w @vigil/web -- vite` serves the app with hot reload; everything the server answers
  // itself goes to a Vigil on the default port (the ingest paths too, for "Send test alert").
  server: {
    proxy: Object.fromEntries(
      ['/api', '/setup', '/v2', '/integrations', '/actions', '/healthz', '/readyz', '/metrics'].map(
        (path) => [path, 'http://127.0.0.1:8080'],
      ),
    ),
  },
});
