import { describe, expect, it } from 'vitest';
import { SnapshotSimulator } from '../../test/helpers/simulatedSnapshots.ts';
import type { Alert } from '../alert/model.ts';
import type { HostEvent } from '../events/model.ts';
import { allocate, geometry } from './layout.ts';
import { firingAlerts, initialData, withAlert, withEvent, withSnapshot } from './model.ts';

const simulator = new SnapshotSimulator({ startMs: 1_800_000_000_000, intervalMs: 1000 });

describe('view data', () => {
  it('appends each new snapshot to the CPU history once, bounded', () => {
    let data = initialData('local', 0, { alerts: false, events: false });
    const snapshots = Array.from({ length: 300 }, (_, i) => simulator.snapshot(i));
    for (const [i, snapshot] of snapshots.entries()) data = withSnapshot(data, snapshot, i);
    expect(data.history.total).toHaveLength(240);
    expect(data.history.total.at(-1)).toBe(snapshots[299]?.cpu?.busyPercent);
    expect(data.history.cores.get(1)).toHaveLength(240);
    // The snapshot a reconnect starts with is the one already shown: no second point.
    const again = withSnapshot(data, { ...(snapshots[299] ?? simulator.snapshot(0)) }, 1);
    expect(again.history).toBe(data.history);
    expect(again.receivedMs).toBe(1);
  });

  it('replaces an alert or event by id and keeps them newest first', () => {
    const alert = (id: string, timeMs: number, state: Alert['state']): Alert => ({ id, type: 'TEST', severity: 'info', title: id, message: '', host: 'vm', timeMs, context: {}, dedupKey: id, state, repeatCount: 0 });
    let data = initialData('x', 0, { alerts: true, events: true });
    data = withAlert(withAlert(data, alert('a', 1, 'firing')), alert('b', 2, 'firing'));
    data = withAlert(data, alert('a', 1, 'resolved'));
    expect(data.alerts?.map((a) => `${a.id}:${a.state}`)).toEqual(['b:firing', 'a:resolved']);
    expect(firingAlerts(data).map((a) => a.id)).toEqual(['b']);
    const event = (id: string, timeMs: number): HostEvent => ({ id, timeMs, host: 'vm', type: 'exec', source: 'trace', message: id, data: {} });
    for (let i = 0; i < 150; i++) data = withEvent(data, event(String(i), i));
    expect(data.events).toHaveLength(100);
    expect(data.events?.[0]?.id).toBe('149');
  });
});

describe('layout', () => {
  it('gives each panel a line first, then more in turn, within the budget', () => {
    expect(allocate([3, 1, 5], 3)).toEqual([1, 1, 1]);
    expect(allocate([3, 1, 5], 6)).toEqual([3, 1, 2]);
    expect(allocate([3, 1, 5], 100)).toEqual([3, 1, 5]);
    expect(allocate([3, 1, 5], 2)).toEqual([1, 1, 0]);
  });

  it('keeps a frame one line shorter than the terminal and the lists at least six lines', () => {
    const small = geometry(80, 24);
    expect(small).toMatchObject({ wide: false, lines: 23, leftWidth: 74 });
    expect(small.topBudget + small.bottomLines).toBe(21);
    expect(small.bottomLines).toBeGreaterThanOrEqual(6);
    expect(geometry(160, 40)).toMatchObject({ wide: true, leftWidth: 74, rightWidth: 73 });
  });
});
