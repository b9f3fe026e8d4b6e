// JSON files: one file per alert event in a folder (alert_<unix-ts>_<type>.json), written atomically
// (temp file, fsync, rename), with the folder capped by file count and age.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertChannel } from '../channel.ts';

export interface JsonFilesOptions {
  directory: string;
  maxFiles?: number;
  maxAgeSeconds?: number;
  nowMs?: () => number;
}

const FILE_PATTERN = /^alert_\d+_[A-Z_]+(?:_\d+)?\.json$/;

export function jsonFilesChannel(options: JsonFilesOptions): AlertChannel {
  const maxFiles = options.maxFiles ?? 1000;
  const maxAgeMs = (options.maxAgeSeconds ?? 30 * 86400) * 1000;
  const nowMs = options.nowMs ?? Date.now;
  let sequence = 0;
  return {
    name: 'json-files',
    async send(alert, event) {
      mkdirSync(options.directory, { recursive: true });
      const seconds = Math.floor(alert.timeMs / 1000);
      const base = `alert_${seconds}_${alert.type}`;
      let name = `${base}.json`;
      // A second event for the same second and type gets a numbered name instead of overwriting.
      for (let n = 1; existsQuiet(join(options.directory, name)); n++) name = `${base}_${n}.json`;
      const temp = join(options.directory, `.${name}.${process.pid}.${sequence++}.tmp`);
      const fd = openSync(temp, 'w', 0o644);
      try {
        writeSync(fd, `${JSON.stringify({ event, ...alert }, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, join(options.directory, name));
      prune(options.directory, maxFiles, maxAgeMs, nowMs());
    },
  };
}

function existsQuiet(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

// Oldest first out: anything past the age limit, then the oldest beyond the count limit.
function prune(directory: string, maxFiles: number, maxAgeMs: number, nowMs: number): void {
  const files = readdirSync(directory)
    .filter((name) => FILE_PATTERN.test(name))
    .map((name) => ({ name, mtimeMs: statSync(join(directory, name)).mtimeMs }))
    .sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  const tooOld = files.filter((f) => nowMs - f.mtimeMs > maxAgeMs);
  const kept = files.filter((f) => nowMs - f.mtimeMs <= maxAgeMs);
  const surplus = kept.slice(0, Math.max(0, kept.length - maxFiles));
  for (const file of [...tooOld, ...surplus]) unlinkSync(join(directory, file.name));
}
