// Tests of the temperature collector's sensor list, kept between listings, on a writable fixture copy.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readHwmonSensors, readThermalZones } from '../sys/readSys.ts';
import type { Collector } from './collector.ts';
import { environmentFor } from './snapshotter.ts';
import { temperatureCollector } from './temperatures.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const dirs: string[] = [];
const collectors: Array<Collector<'temperatures'>> = [];
afterEach(() => {
  for (const c of collectors.splice(0)) c.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tick = (ms: number): { monotonicMs: number; wallMs: number } => ({ monotonicMs: ms, wallMs: ms });

describe('temperature collector on a fixture copy', () => {
  it('reads values every tick, and labels, trips and new sensors at the next listing (30 s)', () => {
    const sys = mkdtempSync(join(tmpdir(), 'hostguard-tempsys-'));
    dirs.push(sys);
    cpSync(join(fixtures, 'collect-sys'), sys, { recursive: true });
    const collector = temperatureCollector.create(environmentFor({ procRoot: join(fixtures, 'collect-proc'), sysRoot: sys }));
    collectors.push(collector);
    const first = collector.collect(tick(0));
    expect(first.sensors).toEqual([...readThermalZones(sys), ...readHwmonSensors(sys)]);
    expect(first.maxCelsius).toBe(47);
    const zone0 = join(sys, 'class', 'thermal', 'thermal_zone0');
    writeFileSync(join(zone0, 'temp'), '91500\n');
    writeFileSync(join(zone0, 'type'), 'renamed');
    writeFileSync(join(sys, 'class', 'hwmon', 'hwmon0', 'temp3_input'), '50000\n');
    const second = collector.collect(tick(1000));
    expect(second.sensors[0]).toEqual({ source: 'thermal', sensor: 'thermal_zone0', label: 'x86_pkg_temp', celsius: 91.5, criticalCelsius: 100 });
    expect(second.maxCelsius).toBe(91.5);
    expect(second.sensors).toHaveLength(first.sensors.length);
    // A sensor whose value cannot be read is left out at once.
    rmSync(join(sys, 'class', 'thermal', 'thermal_zone1', 'temp'));
    expect(collector.collect(tick(2000)).sensors.map((s) => s.sensor)).not.toContain('thermal_zone1');
    const relisted = collector.collect(tick(31_000));
    expect(relisted.sensors).toEqual([...readThermalZones(sys), ...readHwmonSensors(sys)]);
    expect(relisted.sensors[0]?.label).toBe('renamed');
    expect(relisted.sensors.map((s) => s.sensor)).toContain('coretemp/temp3');
  });

  it('reports an empty list, not an error, without sensors', () => {
    const collector = temperatureCollector.create(environmentFor({ sysRoot: '/nonexistent' }));
    collectors.push(collector);
    expect(collector.collect(tick(0))).toEqual({ sensors: [] });
  });
});
