// JSON files: one file per alert event in a folder (alert_<unix-ts>_<type>.json), written atomically
// (temp file, fsync, link into place) off the event loop, with the folder capped by file count and age.
import { link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AlertChannel } from '../channel.ts';

export interface JsonFilesOptions {
  directory: string;
  maxFiles?: number;
  maxAgeSeconds?: number;
  nowMs?: () => number;
}

const FILE_PATTERN = /^alert_\d+_[A-Z_]+(?:_\d+)?\.json$/;
// When the count passes the cap, the oldest go down to 90 % of it (so not on every write in a storm);
// files past the age limit go at most every PRUNE_EVERY_MS.
const PRUNE_TO_FRACTION = 0.9;
const PRUNE_EVERY_MS = 10_000;
// The folder is listed (readdir + a stat per file) at most this often, for files others added or
// removed; in between the channel prunes from its own list. Listing on every prune cost about ten
// stat calls per alert in a storm with the default cap of 1,000.
const RESCAN_EVERY_MS = 60_000;

interface Indexed {
  name: string;
  mtimeMs: number;
}

export function jsonFilesChannel(options: JsonFilesOptions): AlertChannel {
  const maxFiles = options.maxFiles ?? 1000;
  const maxAgeMs = (options.maxAgeSeconds ?? 30 * 86400) * 1000;
  const nowMs = options.nowMs ?? Date.now;
  let sequence = 0;
  // the folder's alert files, oldest first: listed at most every RESCAN_EVERY_MS, kept up to date between
  let index: Indexed[] | undefined;
  let listedMs = -Infinity;
  let lastPruneMs = -Infinity;
  let pruning: Promise<void> | undefined;
  // the next suffix to try per base name: in a storm of one type in one second, the k-th file would
  // otherwise cost k failed link(2) calls (measured: most of the main thread's time at 3,000 alerts)
  const nextSuffix = new Map<string, number>();

  const pruneFolder = async (): Promise<void> => {
    do {
      const now = nowMs();
      lastPruneMs = now;
      if (!index || now - listedMs >= RESCAN_EVERY_MS) {
        listedMs = now;
        index = await list(options.directory);
      }
      const keep = Math.floor(maxFiles * (index.length > maxFiles ? PRUNE_TO_FRACTION : 1));
      const doomed = oldestOut(index, keep, maxAgeMs, now);
      const removed = new Set(doomed.map((f) => f.name));
      index = index.filter((f) => !removed.has(f.name));
      await Promise.all(doomed.map((f) => unlink(join(options.directory, f.name)).catch(() => undefined)));
      // files written meanwhile were added to the index: go on while they exceed the cap
    } while (index.length > maxFiles);
  };

  return {
    name: 'json-files',
    async send(alert, event) {
      const base = `alert_${Math.floor(alert.timeMs / 1000)}_${alert.type}`;
      const temp = join(options.directory, `.${base}.${process.pid}.${sequence++}.tmp`);
      // The folder is made on first use, and again if someone removed it (not once per alert: in
      // a storm that was a thread-pool call per file).
      const file = await open(temp, 'w', 0o644).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await mkdir(options.directory, { recursive: true });
        return open(temp, 'w', 0o644);
      });
      try {
        await file.writeFile(`${JSON.stringify({ event, ...alert }, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      const start = nextSuffix.get(base) ?? 0;
      nextSuffix.set(base, start + 1);
      const name = await publish(temp, options.directory, base, start);
      // only the current second's names are worth remembering
      if (nextSuffix.size > 64) for (const key of [...nextSuffix.keys()].slice(0, nextSuffix.size - 1)) nextSuffix.delete(key);
      index?.push({ name, mtimeMs: nowMs() });
      // One prune at a time: two at once raced over the same files (a stat of a file the other had
      // just removed failed the delivery).
      if (!pruning && (index === undefined || index.length > maxFiles || nowMs() - lastPruneMs >= PRUNE_EVERY_MS)) {
        pruning = pruneFolder();
        try {
          await pruning;
        } finally {
          pruning = undefined;
        }
      }
    },
  };
}

// link(2) never replaces an existing file: a second event in the same second and of the same type
// takes the next numbered name, even when deliveries run concurrently.
// Returns the name used. `from` is the suffix to start from (0: none); lower ones are taken.
async function publish(temp: string, directory: string, base: string, from: number): Promise<string> {
  try {
    for (let n = from; ; n++) {
      const name = n === 0 ? `${base}.json` : `${base}_${n}.json`;
      try {
        await link(temp, join(directory, name));
        return name;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

// The folder's alert files, oldest first; a file removed meanwhile is simply not listed.
async function list(directory: string): Promise<Indexed[]> {
  const names = (await readdir(directory)).filter((name) => FILE_PATTERN.test(name));
  const found = await Promise.all(names.map((name) => stat(join(directory, name)).then((s) => ({ name, mtimeMs: s.mtimeMs }), () => undefined)));
  return found.filter((f) => f !== undefined).sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

// Oldest first out: anything past the age limit, then the oldest beyond the count limit.
export function oldestOut(files: Indexed[], maxFiles: number, maxAgeMs: number, nowMs: number): Indexed[] {
  const kept = files.filter((f) => nowMs - f.mtimeMs <= maxAgeMs);
  return [...files.filter((f) => nowMs - f.mtimeMs > maxAgeMs), ...kept.slice(0, Math.max(0, kept.length - maxFiles))];
}
