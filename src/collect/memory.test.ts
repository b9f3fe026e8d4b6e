// Tests of the memory collector's cached zram list and its cgroup read, on a writable fixture copy and on this machine.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readCgroupMemory } from '../sys/readCgroup.ts';
import { readZramDevices } from '../sys/readSys.ts';
import type { Collector } from './collector.ts';
import { locateMemoryCgroup, memoryCollector } from './memory.ts';
import { environmentFor } from './snapshotter.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const dirs: string[] = [];
const collectors: Array<Collector<'memory'>> = [];
afterEach(() => {
  for (const c of collectors.splice(0)) c.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(procRoot: string, sysRoot: string): Collector<'memory'> {
  const collector = memoryCollector.create(environmentFor({ procRoot, sysRoot }));
  collectors.push(collector);
  return collector;
}

const tick = (ms: number): { monotonicMs: number; wallMs: number } => ({ monotonicMs: ms, wallMs: ms });

describe('memory collector on a fixture copy', () => {
  it('lists zram devices again at once when one vanishes, and finds a new one within 30 s', () => {
    const sys = mkdtempSync(join(tmpdir(), 'hostguard-memsys-'));
    dirs.push(sys);
    cpSync(join(fixtures, 'collect-sys'), sys, { recursive: true });
    const collector = start(join(fixtures, 'collect-proc'), sys);
    expect(collector.collect(tick(0)).zram.map((z) => z.name)).toEqual(['zram0', 'zram1']);
    rmSync(join(sys, 'block', 'zram1'), { recursive: true });
    expect(collector.collect(tick(1000)).zram.map((z) => z.name)).toEqual(['zram0']);
    mkdirSync(join(sys, 'block', 'zram2'));
    writeFileSync(join(sys, 'block', 'zram2', 'disksize'), '4096\n');
    writeFileSync(join(sys, 'block', 'zram2', 'mm_stat'), '100 50 60 0 60 0 0 0 0\n');
    // Values of a known device are fresh every tick; a new device waits for the next listing.
    writeFileSync(join(sys, 'block', 'zram0', 'mm_stat'), '8192 4096 5000 0 5000 0 0 0 0\n');
    const between = collector.collect(tick(2000)).zram;
    expect(between.map((z) => [z.name, z.originalDataBytes])).toEqual([['zram0', 8192]]);
    expect(collector.collect(tick(31_000)).zram).toEqual([
      { name: 'zram0', diskSizeBytes: 0, originalDataBytes: 8192, compressedDataBytes: 4096, memoryUsedBytes: 5000 },
      { name: 'zram2', diskSizeBytes: 4096, originalDataBytes: 100, compressedDataBytes: 50, memoryUsedBytes: 60 },
    ]);
  });
});

describe('memory collector on this machine', () => {
  it('reports the zram devices of /sys and the limit of its own memory cgroup, tick after tick', () => {
    const collector = start('/proc', '/sys');
    const location = locateMemoryCgroup(environmentFor({}));
    for (let i = 0; i < 3; i++) {
      const memory = collector.collect(tick(i * 1000));
      expect(memory.zram.map((z) => z.name)).toEqual(readZramDevices('/sys').map((z) => z.name));
      const full = location ? readCgroupMemory(location.dir) : undefined;
      if (full?.ok && !(location?.path === '/' && full.value.limitBytes === undefined)) {
        expect(memory.cgroup).toMatchObject({ path: location?.path, version: full.value.version });
        expect(memory.cgroup?.limitBytes).toBe(full.value.limitBytes);
        expect(memory.cgroup?.usageBytes).toBeGreaterThan(0);
      } else {
        expect(memory.cgroup).toBeUndefined();
      }
      expect(memory.totalBytes).toBeGreaterThan(0);
    }
  });
});
