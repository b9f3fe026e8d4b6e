// The web dashboard: the files of its build folder (web/dist) served at /, index.html for every other
// path that is not a file (client-side routes), and a short page saying how to build it when the
// folder has no index.html. Only files inside the folder are ever read.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, posix, resolve, sep } from 'node:path';
import type { Stats } from 'node:fs';
import type { Readable } from 'node:stream';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

// Vite names the files under assets/ by their content hash: they never change, so browsers keep them.
const HASHED_CACHE = 'public, max-age=31536000, immutable';
// Everything else (index.html above all) is checked again at each load, so a new build shows at once.
const REVALIDATE = 'no-cache';

export interface DashboardAnswer {
  status: number;
  headers: Record<string, string>;
  // absent for HEAD, 304 and errors
  body?: Readable | string;
}

function notBuiltPage(webDir: string): string {
  const escaped = webDir.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hostguard: dashboard not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>hostguard</h1>
<p>The web dashboard is not built: there is no <code>index.html</code> in <code>${escaped}</code>.</p>
<p>Build it in the hostguard source tree with <code>npm run build:web</code>, or point <code>[api] web_dir</code>
(<code>--web-dir</code>, <code>HOSTGUARD_WEB_DIR</code>) at a built dashboard.</p>
<p>The API answers meanwhile: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, <a href="/metrics">/metrics</a>.</p>
</body></html>
`;
}

// A path under the folder, or undefined for one that tries to leave it or names a hidden file.
function fileUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || (s.startsWith('.') && s !== ''))) return undefined;
  const file = resolve(root, `.${posix.normalize(`/${decoded}`)}`);
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

async function statFile(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function fileAnswer(path: string, stats: Stats, cache: string, head: boolean, ifNoneMatch: string | undefined): DashboardAnswer {
  const etag = `W/"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}"`;
  const headers = { 'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'Cache-Control': cache, ETag: etag, 'X-Content-Type-Options': 'nosniff' };
  if (ifNoneMatch === etag) return { status: 304, headers };
  const withLength = { ...headers, 'Content-Length': String(stats.size) };
  return head ? { status: 200, headers: withLength } : { status: 200, headers: withLength, body: createReadStream(path) };
}

export class Dashboard {
  readonly webDir: string;

  constructor(webDir: string) {
    this.webDir = resolve(webDir);
  }

  // The answer for a GET or HEAD of a path outside the API; undefined: not a dashboard file (404).
  async answer(urlPath: string, head: boolean, ifNoneMatch?: string): Promise<DashboardAnswer | undefined> {
    const index = resolve(this.webDir, 'index.html');
    const indexStats = await statFile(index);
    if (!indexStats) return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }, ...(head ? {} : { body: notBuiltPage(this.webDir) }) };
    const file = fileUnder(this.webDir, urlPath);
    if (file === undefined) return undefined;
    const hashed = urlPath.startsWith('/assets/');
    const stats = file === index ? indexStats : await statFile(file);
    if (stats) return fileAnswer(file, stats, hashed ? HASHED_CACHE : REVALIDATE, head, ifNoneMatch);
    // A missing asset, or a missing file of a type the dashboard ships, is a 404, not the page:
    // a script tag must never get HTML. Any other path is a client-side route.
    if (hashed || extname(urlPath).toLowerCase() in CONTENT_TYPES) return undefined;
    return fileAnswer(index, indexStats, REVALIDATE, head, ifNoneMatch);
  }
}
