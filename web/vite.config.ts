// Builds the dashboard into web/dist (served by `hostguard serve` at /); `vite web` and
// `vite preview web` proxy the API and the WebSocket to a running daemon (HOSTGUARD_URL).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';

const daemonUrl = process.env['HOSTGUARD_URL'] ?? 'http://127.0.0.1:8080';

// Everything the dashboard asks the daemon for; the page itself comes from Vite.
export function daemonProxy(target: string): Record<string, ProxyOptions> {
  return {
    '/api': { target },
    '/health': { target },
    '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
  };
}

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: '/',
  // The bundle is the product: no source maps shipped, one CSS file, pages as separate chunks.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  server: { host: '127.0.0.1', proxy: daemonProxy(daemonUrl) },
  preview: { host: '127.0.0.1', proxy: daemonProxy(daemonUrl) },
});
