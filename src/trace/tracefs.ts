// Makes sure tracefs is mounted (bpftrace finds no tracepoint without it; a fresh machine of ours
// does not mount it) and reads tracepoint formats from it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSmallFile } from '../sys/readFile.ts';

export const DEFAULT_TRACEFS = '/sys/kernel/tracing';

export type TracefsResult = { ok: true; mounted: boolean; message?: string } | { ok: false; reason: string };

export function tracefsMounted(mountPoint = DEFAULT_TRACEFS): boolean {
  return existsSync(join(mountPoint, 'events'));
}

// Mounts tracefs at mountPoint when it is not there; `mounted` says whether this call did.
export function ensureTracefs(mountPoint = DEFAULT_TRACEFS): TracefsResult {
  if (tracefsMounted(mountPoint)) return { ok: true, mounted: false };
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', mountPoint], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
    return { ok: false, reason: `tracefs is not mounted at ${mountPoint} and 'mount -t tracefs nodev ${mountPoint}' failed${stderr ? `: ${stderr}` : ''}` };
  }
  if (!tracefsMounted(mountPoint)) return { ok: false, reason: `mounted tracefs at ${mountPoint} but it has no events/ directory` };
  return { ok: true, mounted: true, message: `tracefs was not mounted: mounted it at ${mountPoint} (mount -t tracefs nodev ${mountPoint})` };
}

// Whether a tracepoint's format has a field ("sched/sched_process_exit", "group_dead").
export function tracepointHasField(mountPoint: string, tracepoint: string, field: string): boolean {
  const format = readSmallFile(join(mountPoint, 'events', tracepoint, 'format'));
  return format !== undefined && new RegExp(`field:[^;]*\\b${field};`).test(format);
}
