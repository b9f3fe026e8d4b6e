// The on-disk ledger of targets this guard may have stopped, frozen, throttled or reniced, written
// atomically (temp file + rename) whenever that set changes, so that a guard killed with SIGKILL
// leaves enough behind for the next start to undo it (see repair.ts).
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ParseResult, fail, ok } from '../../sys/result.ts';
import type { LedgerEntry } from './target.ts';

export interface LedgerFile {
  version: 1;
  guardPid: number;
  scope: string;
  entries: LedgerEntry[];
}

export const RUN_DIR = '/run/hostguard';

// One ledger per scope, so guards watching different cgroups do not overwrite each other's.
export function ledgerFileName(scope: string | undefined): string {
  if (scope === undefined) return 'guard-ledger.json';
  const slug = scope.replace(/^\/sys\/fs\/cgroup\/?/, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '');
  return `guard-ledger-${slug || 'root'}.json`;
}

// A directory only we can write: /run/hostguard, else a private directory in the temp dir.
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = statSync(dir);
    const uid = process.getuid?.() ?? info.uid;
    return info.isDirectory() && info.uid === uid && (info.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

export function defaultLedgerPath(scope: string | undefined, runDir = RUN_DIR, tempDir = tmpdir()): string | undefined {
  const name = ledgerFileName(scope);
  if (privateDir(runDir)) return join(runDir, name);
  const fallback = join(tempDir, `hostguard-${process.getuid?.() ?? 'user'}`);
  if (privateDir(fallback)) return join(fallback, name);
  return undefined;
}

function isIdentity(value: unknown): boolean {
  const v = value as { pid?: unknown; startTimeTicks?: unknown };
  return typeof v === 'object' && v !== null && Number.isSafeInteger(v.pid) && (v.pid as number) > 1 && Number.isSafeInteger(v.startTimeTicks);
}

function isNiceRecord(value: unknown): boolean {
  return Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2 && Number.isSafeInteger(pair[0]) && Number.isInteger(pair[1]) && pair[1] >= -20 && pair[1] <= 19);
}

function isEntry(value: unknown): boolean {
  const e = value as Record<string, unknown>;
  if (typeof e !== 'object' || e === null) return false;
  if (e.kind === 'process') {
    return isIdentity(e) && typeof e.name === 'string' && typeof e.mayBeStopped === 'boolean' && (e.nice === undefined || isNiceRecord(e.nice));
  }
  if (e.kind !== 'cgroup') return false;
  const strings = ['freezerDir', 'cpuDir', 'quotaRaw'].every((k) => e[k] === undefined || typeof e[k] === 'string');
  const nice = Array.isArray(e.nice) && e.nice.every((n: unknown) => isIdentity(n) && isNiceRecord((n as { before?: unknown }).before));
  const stopped = Array.isArray(e.stoppedMembers) && e.stoppedMembers.every(isIdentity);
  return typeof e.path === 'string' && e.path.startsWith('/') && (e.version === 1 || e.version === 2) && typeof e.mayBeFrozen === 'boolean' && strings && nice && stopped;
}

// The ledger is trusted only as far as its shape: repair re-checks every process and file.
export function parseLedger(text: string): ParseResult<LedgerFile> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`ledger: not JSON (${(error as Error).message})`);
  }
  const file = value as Partial<LedgerFile>;
  if (typeof file !== 'object' || file === null || file.version !== 1) return fail('ledger: expected an object with version 1');
  if (!Number.isSafeInteger(file.guardPid) || typeof file.scope !== 'string' || !Array.isArray(file.entries)) {
    return fail('ledger: guardPid, scope or entries missing');
  }
  const bad = file.entries.findIndex((entry) => !isEntry(entry));
  if (bad >= 0) return fail(`ledger: entry ${bad} is not a process or cgroup record`);
  return ok(file as LedgerFile);
}

export class Ledger {
  readonly path: string;
  private readonly scope: string;
  private lastText: string | undefined;

  constructor(path: string, scope: string) {
    this.path = path;
    this.scope = scope;
  }

  // Writes the entries if they changed; an empty set removes the file. Throws on I/O errors: a
  // guard that cannot keep its ledger must say so (the caller reports it once).
  write(entries: LedgerEntry[]): void {
    if (entries.length === 0) {
      if (this.lastText === undefined) return;
      rmSync(this.path, { force: true });
      this.lastText = undefined;
      return;
    }
    const text = `${JSON.stringify({ version: 1, guardPid: process.pid, scope: this.scope, entries } satisfies LedgerFile)}\n`;
    if (text === this.lastText) return;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    // No fsync: the ledger lives in /run (tmpfs), and stopped processes do not outlive a reboot.
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, this.path);
    this.lastText = text;
  }
}
