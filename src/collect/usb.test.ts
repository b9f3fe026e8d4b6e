import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentFor } from './snapshotter.ts';
import { usbCollector } from './usb.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const dirs: string[] = [];
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The log lines carry kernel times 5123..5174 s; uptime is set so that "now" is 5180 s after boot.
function setup(): { log: string; collect: (wallMs: number) => ReturnType<ReturnType<typeof usbCollector.create>['collect']> } {
  const root = mkdtempSync(join(tmpdir(), 'hostguard-usb-'));
  dirs.push(root);
  const log = join(root, 'kmsg');
  writeFileSync(log, readFileSync(join(fixtures, 'collect-kmsg', 'boot-real.txt')));
  writeFileSync(join(root, 'uptime'), '5180.00 100.00\n');
  const collector = usbCollector.create({ ...environmentFor({ procRoot: root, sysRoot: join(fixtures, 'collect-sys'), kmsgPath: log }), usbTimeoutHoldSeconds: 300 });
  closers.push(() => collector.close());
  return { log, collect: (wallMs) => collector.collect({ monotonicMs: wallMs, wallMs }) };
}

const NOW = Date.UTC(2026, 0, 1);

describe('usb collector', () => {
  it('reports devices and no timeout while the log has none since it started', () => {
    const { collect } = setup();
    const usb = collect(NOW);
    expect(usb).toMatchObject({ kernelLogReadable: true, hasTimeout: false, timeoutsInInterval: 0, resetsInInterval: 0, recentEvents: [] });
    expect(usb.devices.map((d) => [d.id, d.hasTimeout])).toEqual([['1-1', false], ['1-1.2', false], ['2-1', false], ['3-1', false], ['usb1', false]]);
  });

  it('reports timeouts appended to the log with the last message, per device, and its kernel time', () => {
    const { log, collect } = setup();
    collect(NOW);
    appendFileSync(log, readFileSync(join(fixtures, 'collect-kmsg', 'usb-events.txt')));
    const usb = collect(NOW + 5000);
    expect(usb).toMatchObject({ hasTimeout: true, timeoutsInInterval: 5, resetsInInterval: 2, lastMessage: 'usb 3-1: Device not responding to setup address.' });
    // The last event was logged at 5172 s, 8 s before "now" (5180 s).
    expect(usb.lastEventTime).toBe(new Date(NOW + 5000 - 8000).toISOString());
    expect(usb.devices.find((d) => d.id === '1-1')).toMatchObject({ hasTimeout: true, lastMessage: 'usb 1-1: device descriptor read/64, error -110' });
    expect(usb.devices.find((d) => d.id === '1-1.2')).toMatchObject({ hasTimeout: false });
    expect(usb.recentEvents).toHaveLength(8);
  });

  it('keeps hasTimeout for the hold window, then clears it; counts only new events per interval', () => {
    const { log, collect } = setup();
    collect(NOW);
    appendFileSync(log, '3,1300,5179000000,-;usb 1-1: device descriptor read/64, error -110\n');
    // The log is read every 5 s: the record waits for the next read, and is counted once.
    expect(collect(NOW + 1000)).toMatchObject({ hasTimeout: false, timeoutsInInterval: 0 });
    expect(collect(NOW + 5000)).toMatchObject({ hasTimeout: true, timeoutsInInterval: 1 });
    expect(collect(NOW + 6000)).toMatchObject({ hasTimeout: true, timeoutsInInterval: 0 });
    expect(collect(NOW + 200_000)).toMatchObject({ hasTimeout: true, timeoutsInInterval: 0 });
    expect(collect(NOW + 400_000)).toMatchObject({ hasTimeout: false, timeoutsInInterval: 0, recentEvents: [] });
  });

  it('says the log is unreadable instead of claiming there were no timeouts', () => {
    const collector = usbCollector.create(environmentFor({ kmsgPath: '/nonexistent/kmsg', sysRoot: '/nonexistent' }));
    closers.push(() => collector.close());
    expect(collector.collect({ monotonicMs: 0, wallMs: NOW })).toMatchObject({ kernelLogReadable: false, hasTimeout: false, devices: [] });
  });
});
