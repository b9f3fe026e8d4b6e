import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { expectTypedResult, hostileText } from '../../../test/fixtures/fixtures.ts';
import { Ledger, defaultLedgerPath, ledgerFileName, parseLedger } from './ledger.ts';
import type { LedgerEntry } from './target.ts';

const dir = mkdtempSync(join(tmpdir(), 'hg-ledger-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const processEntry: LedgerEntry = { kind: 'process', pid: 4321, startTimeTicks: 99, name: 'worker', mayBeStopped: true, nice: [[4321, 0], [4322, 5]] };
const cgroupEntry: LedgerEntry = { kind: 'cgroup', path: '/job/w1', name: '/job/w1', version: 1, mayBeFrozen: true, freezerDir: '/sys/fs/cgroup/freezer/job/w1', cpuDir: '/sys/fs/cgroup/cpu/job/w1', quotaRaw: '-1', stoppedMembers: [], nice: [{ pid: 77, startTimeTicks: 5, before: [[77, 0]] }] };

describe('Ledger', () => {
  it('writes atomically (no temp file left), rewrites only on change, and removes itself when empty', () => {
    const path = join(dir, 'a', 'ledger.json');
    const ledger = new Ledger(path, 'host');
    ledger.write([processEntry, cgroupEntry]);
    const first = statSync(path);
    expect((first.mode & 0o777).toString(8)).toBe('600');
    expect(readdirSync(join(dir, 'a'))).toEqual(['ledger.json']);
    expect(parseLedger(readFileSync(path, 'utf8'))).toEqual({ ok: true, value: { version: 1, guardPid: process.pid, scope: 'host', entries: [processEntry, cgroupEntry] } });
    ledger.write([processEntry, cgroupEntry]);
    expect(statSync(path).mtimeMs).toBe(first.mtimeMs);
    ledger.write([]);
    expect(existsSync(path)).toBe(false);
  });

  it('names one ledger per scope', () => {
    expect(ledgerFileName(undefined)).toBe('guard-ledger.json');
    expect(ledgerFileName('/sys/fs/cgroup/memory/jobs/batch 1')).toBe('guard-ledger-memory_jobs_batch_1.json');
  });

  it('lives in /run/hostguard when it can, else in a private directory in the temp dir', () => {
    const run = join(dir, 'run', 'hostguard');
    expect(defaultLedgerPath(undefined, run, dir)).toBe(join(run, 'guard-ledger.json'));
    expect((statSync(run).mode & 0o777).toString(8)).toBe('700');
    // A file where the directory should be: the run dir cannot be used.
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, '');
    const fallback = defaultLedgerPath('/sys/fs/cgroup/memory/x', join(blocked, 'hostguard'), dir);
    expect(fallback).toBe(join(dir, `hostguard-${process.getuid?.()}`, 'guard-ledger-memory_x.json'));
  });
});

describe('parseLedger', () => {
  it('rejects what is not a ledger, saying what is wrong', () => {
    expect(parseLedger('{')).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    expect(parseLedger('{"version":2}')).toMatchObject({ ok: false, error: expect.stringMatching(/version 1/) });
    const bad = { version: 1, guardPid: 1, scope: 'host', entries: [{ ...processEntry, pid: 1 }] };
    expect(parseLedger(JSON.stringify(bad))).toMatchObject({ ok: false, error: 'ledger: entry 0 is not a process or cgroup record' });
    const badNice = { version: 1, guardPid: 1, scope: 'host', entries: [{ ...processEntry, nice: [[4321, -40]] }] };
    expect(parseLedger(JSON.stringify(badNice))).toMatchObject({ ok: false });
  });

  it('never throws, on hostile text or on damaged ledgers', () => {
    const good = JSON.stringify({ version: 1, guardPid: 10, scope: 'host', entries: [processEntry, cgroupEntry] });
    const damaged = fc.tuple(fc.nat({ max: good.length }), fc.nat({ max: 20 }), hostileText).map(([at, cut, insert]) => good.slice(0, at) + insert + good.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(hostileText, damaged, fc.json()), (text) => {
        expectTypedResult(parseLedger(text), (v) => v.version === 1 && Array.isArray(v.entries));
      }),
    );
  });
});
