import { afterAll, describe, expect, it } from 'vitest';
import { templateSnapshot } from '../../test/helpers/simulatedSnapshots.ts';
import { Snapshotter } from '../collect/snapshotter.ts';
import { ioBytesPerSecond, matchesFilter, nextSortKey, processRows } from './processes.ts';

const snapshotter = new Snapshotter({ topProcesses: 5, enabled: { usb: false } });
afterAll(() => snapshotter.close());

describe('processRows', () => {
  it('merges the top lists of a real snapshot into one row per process', async () => {
    snapshotter.collect();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const processes = snapshotter.collect().processes;
    expect(processes).toBeDefined();
    const rows = processRows(processes, 'cpu', '');
    const pids = rows.map((row) => row.pid);
    expect(new Set(pids).size).toBe(pids.length);
    for (const list of [processes?.topByCpu, processes?.topByMemory, processes?.topByIo]) {
      for (const process of list ?? []) expect(pids).toContain(process.pid);
    }
    // The top of each order is the snapshot's own top list for it.
    expect(processRows(processes, 'rss', '').slice(0, 5).map((row) => row.rssBytes)).toEqual(processes?.topByMemory.map((p) => p.rssBytes));
  });

  it('sorts by CPU, resident memory or I/O, biggest first, PID breaking ties', () => {
    const processes = templateSnapshot().processes;
    const byCpu = processRows(processes, 'cpu', '');
    expect(byCpu.map((row) => row.cpuPercent)).toEqual([...byCpu.map((row) => row.cpuPercent ?? -1)].sort((a, b) => b - a));
    expect(byCpu[0]?.name).toBe('node');
    const byRss = processRows(processes, 'rss', '');
    expect(byRss.map((row) => row.rssBytes)).toEqual([...byRss.map((row) => row.rssBytes)].sort((a, b) => b - a));
    const byIo = processRows(processes, 'io', '');
    expect(byIo.map((row) => ioBytesPerSecond(row))).toEqual([...byIo.map((row) => ioBytesPerSecond(row) ?? -1)].sort((a, b) => b - a));
    expect(byIo.slice(0, 3).map((row) => row.pid)).toEqual([1000, 1001, 1002]);
    expect(nextSortKey('cpu')).toBe('rss');
    expect(nextSortKey('rss')).toBe('io');
    expect(nextSortKey('io')).toBe('cpu');
  });

  it('filters on PID, name, user and command line, ignoring case', () => {
    const processes = templateSnapshot().processes;
    expect(processRows(processes, 'cpu', 'POSTGRES').map((row) => row.name)).toEqual(['postgres']);
    expect(processRows(processes, 'cpu', '1003').map((row) => row.pid)).toEqual([1003]);
    expect(processRows(processes, 'cpu', '--config /etc/nginx').map((row) => row.name)).toEqual(['nginx']);
    expect(processRows(processes, 'cpu', 'root')).toHaveLength(10);
    expect(processRows(processes, 'cpu', 'no-such-thing')).toEqual([]);
    const first = processes?.topByCpu[0];
    if (!first) throw new Error('template has no processes');
    expect(matchesFilter(first, '  ')).toBe(true);
    expect(processRows(undefined, 'cpu', '')).toEqual([]);
  });
});
