import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { networkCollector } from './network.ts';
import { environmentFor } from './snapshotter.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writeNetDev(root: string, rows: Record<string, [number, number, number, number, number, number, number, number]>): void {
  const header = 'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
  const lines = Object.entries(rows).map(([name, [rb, rp, re, rd, tb, tp, te, td]]) => `${name.padStart(6)}: ${rb} ${rp} ${re} ${rd} 0 0 0 0 ${tb} ${tp} ${te} ${td} 0 0 0 0`);
  writeFileSync(join(root, 'net', 'dev'), header + lines.join('\n') + '\n');
}

function setup(): { root: string; collect: (ms: number) => ReturnType<ReturnType<typeof networkCollector.create>['collect']> } {
  const root = mkdtempSync(join(tmpdir(), 'hostguard-net-'));
  dirs.push(root);
  mkdirSync(join(root, 'net'));
  const collector = networkCollector.create(environmentFor({ procRoot: root, sysRoot: join(root, 'sys') }));
  return { root, collect: (ms) => collector.collect({ monotonicMs: ms, wallMs: ms }) };
}

describe('network collector', () => {
  it('derives per-second rates over the interval', () => {
    const { root, collect } = setup();
    writeNetDev(root, { eth0: [1000, 10, 0, 0, 500, 5, 0, 0] });
    expect(collect(0).interfaces[0]?.receive).toEqual({ bytes: 1000, packets: 10, errors: 0, drops: 0 });
    writeNetDev(root, { eth0: [3000, 30, 2, 4, 1500, 9, 0, 0] });
    expect(collect(2000).interfaces[0]).toMatchObject({
      receive: { bytesPerSecond: 1000, packetsPerSecond: 10, errorsPerSecond: 1, dropsPerSecond: 2 },
      transmit: { bytesPerSecond: 500, packetsPerSecond: 2, errors: 0 },
    });
  });

  it('recovers a 32-bit wrap, leaves a reset without rate, and handles interfaces that appear and vanish', () => {
    const { root, collect } = setup();
    writeNetDev(root, { eth0: [2 ** 32 - 100, 10, 0, 0, 5_000_000_000, 5, 0, 0], wg0: [1, 1, 0, 0, 1, 1, 0, 0] });
    collect(0);
    writeNetDev(root, { eth0: [100, 20, 0, 0, 10, 6, 0, 0], tun0: [7, 1, 0, 0, 7, 1, 0, 0] });
    const { interfaces } = collect(1000);
    expect(interfaces.map((i) => i.name)).toEqual(['eth0', 'tun0']);
    expect(interfaces[0]?.receive.bytesPerSecond).toBe(200);
    // 5e9 -> 10 on transmit is a reset (the interface was re-created), not a wrap: no rate at all.
    expect(interfaces[0]?.transmit.bytesPerSecond).toBeUndefined();
    expect(interfaces[1]?.receive.bytesPerSecond).toBeUndefined();
    writeNetDev(root, { eth0: [300, 30, 0, 0, 20, 7, 0, 0], tun0: [14, 2, 0, 0, 7, 1, 0, 0] });
    const third = collect(2000).interfaces;
    expect(third[0]?.transmit.bytesPerSecond).toBe(10);
    expect(third[1]?.receive.bytesPerSecond).toBe(7);
  });
});
