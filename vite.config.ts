// The portals: one Vite multi-page build of web/ into dist/web/ (docs/portals.md).
// web/admin/index.html becomes dist/web/admin/index.html, served at `/`; web/developer/index.html
// becomes dist/web/developer/index.html, served at `/developer`. Hashed assets land in
// dist/web/assets/, which the management listener serves at /assets/ with a year-long cache.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const web = fileURLToPath(new URL('./web/', import.meta.url));

export default defineConfig({
  root: web,
  base: '/',
  plugins: [react()],
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/web/', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // Fluent UI is large; one vendor chunk shared by both portals is expected.
    chunkSizeWarningLimit: 2048,
    modulePreload: { polyfill: false }, // no inline script: the Content-Security-Policy forbids it
    rollupOptions: {
      input: {
        admin: `${web}admin/index.html`,
        developer: `${web}developer/index.html`,
      },
    },
  },
});
