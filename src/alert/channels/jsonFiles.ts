// JSON files: one file per alert event in a folder (alert_<unix-ts>_<type>.json), written atomically
// (temp file, fsync, rename) off the event loop, with the folder capped by file count and age.
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
// The folder is pruned when it may exceed its cap (down to 90 % of it, so not on every write in a
// storm) and otherwise every so often for age.
const PRUNE_TO_FRACTION = 0.9;
const PRUNE_EVERY_MS = 10_000;

export function jsonFilesChannel(options: JsonFilesOptions): AlertChannel {
  const maxFiles = options.maxFiles ?? 1000;
  const maxAgeMs = (options.maxAgeSeconds ?? 30 * 86400) * 1000;
  const nowMs = options.nowMs ?? Date.now;
  let sequence = 0;
  let knownFiles = Infinity;
  let lastPruneMs = -Infinity;
  let pruning: Promise<void> | undefined;
  let writtenDuringPrune = 0;
  // the next suffix to try per base name: in a storm of one type in one second, the k-th file would
  // otherwise cost k failed link(2) calls (measured: most of the main thread's time at 3,000 alerts)
  const nextSuffix = new Map<string, number>();
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
      const used = await publish(temp, options.directory, base, start);
      if (used >= (nextSuffix.get(base) ?? 0)) nextSuffix.set(base, used + 1);
      // only the current second's names are worth remembering
      if (nextSuffix.size > 64) for (const key of [...nextSuffix.keys()].slice(0, nextSuffix.size - 1)) nextSuffix.delete(key);
      knownFiles++;
      writtenDuringPrune++;
      // One prune at a time (two at once raced over the same files: a stat of a file the other had
      // just removed failed the delivery); it goes on while files written meanwhile exceed the cap.
      if (!pruning && (knownFiles > maxFiles || nowMs() - lastPruneMs >= PRUNE_EVERY_MS)) {
        pruning = (async () => {
          do {
            lastPruneMs = nowMs();
            writtenDuringPrune = 0;
            const keep = Math.floor(maxFiles * (knownFiles > maxFiles ? PRUNE_TO_FRACTION : 1));
            knownFiles = (await prune(options.directory, keep, maxAgeMs, lastPruneMs)) + writtenDuringPrune;
          } while (knownFiles > maxFiles);
        })();
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
// Returns the suffix used (0: none). `from` is where to start looking; lower ones are taken.
async function publish(temp: string, directory: string, base: string, from: number): Promise<number> {
  try {
    for (let n = from; ; n++) {
      try {
        await link(temp, join(directory, n === 0 ? `${base}.json` : `${base}_${n}.json`));
        return n;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

// Oldest first out: anything past the age limit, then the oldest beyond the count limit.
// Returns how many files remain.
async function prune(directory: string, maxFiles: number, maxAgeMs: number, nowMs: number): Promise<number> {
  const names = (await readdir(directory)).filter((name) => FILE_PATTERN.test(name));
  // a file removed meanwhile (by hand, or another hostguard) is simply not counted
  const found = await Promise.all(names.map((name) => stat(join(directory, name)).then((s) => ({ name, mtimeMs: s.mtimeMs }), () => undefined)));
  const files = found.filter((f) => f !== undefined);
  files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  const kept = files.filter((f) => nowMs - f.mtimeMs <= maxAgeMs);
  const doomed = [...files.filter((f) => nowMs - f.mtimeMs > maxAgeMs), ...kept.slice(0, Math.max(0, kept.length - maxFiles))];
  await Promise.all(doomed.map((f) => unlink(join(directory, f.name)).catch(() => undefined)));
  return files.length - doomed.length;
}
