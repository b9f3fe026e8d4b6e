// Builds the dashboard into web/dist (served by `hostguard serve` at /); `vite web` and
// `vite preview web` proxy the API and the WebSocket to a running daemon (HOSTGUARD_URL).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

const daemonUrl = process.env['HOSTGUARD_URL'] ?? 'http://127.0.0.1:8080';

// Everything the dashboard asks the daemon for; the page itself comes from Vite.
export function daemonProxy(target: string): Record<string, ProxyOptions> {
  return {
    '/api': { target },
    '/health': { target },
    '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
  };
}

// main.tsx is small and loads the app (start.tsx) with import(); a dynamic import is not in
// index.html, so the browser would only ask for the app once main.tsx ran. These links ask for the
// app's chunks while the page is parsed, beside main.tsx.
function preloadApp(): Plugin {
  return {
    name: 'hostguard-preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const chunks = Object.values(context.bundle ?? {}).flatMap((output) => (output.type === 'chunk' ? [output] : []));
        const app = chunks.find((chunk) => chunk.facadeModuleId?.endsWith('/src/start.tsx'));
        if (!app) throw new Error('vite.config.ts: no chunk for web/src/start.tsx to preload');
        const entries = new Set(chunks.filter((chunk) => chunk.isEntry).map((chunk) => chunk.fileName));
        const files = [app.fileName, ...app.imports.filter((file) => !entries.has(file))];
        return files.map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const }));
      },
    },
  };
}

export default defineConfig({
  plugins: [preloadApp()],
  root: dirname(fileURLToPath(import.meta.url)),
  base: '/',
  // The bundle is the product: no source maps shipped, one CSS file, pages as separate chunks.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  server: { host: '127.0.0.1', proxy: daemonProxy(daemonUrl) },
  preview: { host: '127.0.0.1', proxy: daemonProxy(daemonUrl) },
});
