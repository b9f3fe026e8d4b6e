// The proof of the graduated response: three workers that each allocate 320 MiB, hold it 1 s and
// free it, in a 768 MiB memory cgroup. Unguarded, the kernel OOM-kills workers; with
// `hostguard guard --graduated --cgroup` every wave of every worker completes, slower.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryCgroupSupport } from '../helpers/cgroup.ts';
import type { GuardEventRecord } from '../helpers/guardProcess.ts';
import { runScenario } from '../helpers/graduatedScenario.ts';

const support = memoryCgroupSupport();
if (!support.ok) console.warn(`skipping the graduated scenario: ${support.reason}`);

const WAVES = 3;
const CHECK_INTERVAL_MS = 1000;

// Targets throttled or paused at the moment of each fall to NORMAL that were not resumed within
// one check interval of it.
function lateRestores(events: GuardEventRecord[]): string[] {
  const controlled = new Map<string, number>();
  const late: string[] = [];
  let normalAtMs: number | undefined;
  for (const e of events) {
    const atMs = Date.parse(e.time);
    const key = (e.target as { key?: string } | undefined)?.key;
    const sinceNormalMs = normalAtMs === undefined ? 0 : atMs - normalAtMs;
    if (sinceNormalMs > CHECK_INTERVAL_MS) {
      late.push(...[...controlled.keys()].map((k) => `${k} still controlled ${sinceNormalMs} ms after NORMAL`));
      normalAtMs = undefined;
    }
    if (e.type === 'level') normalAtMs = e.to === 'NORMAL' ? atMs : undefined;
    if ((e.type === 'throttle' || e.type === 'pause') && key) controlled.set(key, atMs);
    if (e.type === 'resume' && key) controlled.delete(key);
    if (normalAtMs !== undefined && controlled.size === 0) normalAtMs = undefined;
  }
  return late;
}

describe.skipIf(!support.ok)('graduated response: three wave workers in a 768 MiB memory cgroup', () => {
  const ledgerDir = mkdtempSync(join(tmpdir(), 'hg-grad-ledger-'));
  afterAll(() => rmSync(ledgerDir, { recursive: true, force: true }));

  it('without hostguard, the kernel OOM-kills a worker (the scenario is real)', async () => {
    const result = await runScenario({ guarded: false, waves: WAVES, stopAtFirstOomKill: true, timeoutMs: 60_000 });
    expect(result.oomKills).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('with --graduated, all three finish every wave: no kernel OOM kill, no guard kill, slower', async () => {
    const result = await runScenario({ guarded: true, waves: WAVES, guardArgs: ['--ledger', join(ledgerDir, 'ledger.json')] });
    const failure = `workers ${JSON.stringify(result.workers)}\nguard stderr: ${result.guardStderr.slice(-3000)}`;
    expect(result.workers.map((w) => w.wavesDone), failure).toEqual([WAVES, WAVES, WAVES]);
    expect(result.workers.every((w) => w.code === 0 && w.signal === null), failure).toBe(true);
    expect(result.oomKills).toBe(0);
    expect(result.guardKills).toBe(0);
    // Targets were paused and resumed (throttling is rare here: the leader runs, the others wait;
    // graduated-cgroups and controller.test.ts cover it), and each fall to NORMAL restored every
    // target in time.
    const types = new Set(result.events.map((e) => e.type));
    for (const type of ['level', 'renice', 'pause', 'resume']) expect(types, `no '${type}' event`).toContain(type);
    expect(lateRestores(result.events)).toEqual([]);
    // Alone, a worker needs about WAVES x 1.36 s (measured by the benchmark), plus the stagger.
    const aloneMs = WAVES * 1360 + 2 * 400;
    console.log(`graduated scenario: ${WAVES} waves x 3 workers in ${(result.totalMs / 1000).toFixed(1)} s, ~${(result.totalMs / aloneMs).toFixed(1)}x a worker's time alone; paused ms per worker: ${result.workers.map((w) => w.pausedMs).join(', ')}`);
  }, 120_000);
});
