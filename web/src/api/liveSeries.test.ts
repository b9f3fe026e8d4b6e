// The live chart buffer: values read from real-shaped snapshots, resends ignored, bounded size,
// a null row where the socket was down, and the history prefill placed before the live points.
import { describe, expect, it } from 'vitest';
import { SnapshotSimulator } from '../../../test/helpers/simulatedSnapshots.ts';
import { LiveSeries, PREFILL_FIELDS } from './liveSeries.ts';
import type { HistoryAnswer } from './types.ts';

const START_MS = Date.UTC(2026, 0, 5, 12);
const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 });

describe('LiveSeries', () => {
  it('reads each column from the snapshot and ignores a snapshot it already has', () => {
    const series = new LiveSeries();
    const first = simulator.snapshot(0);
    expect(series.add(first)).toBe(true);
    expect(series.add(first)).toBe(false);
    expect(series.length).toBe(1);
    const { values, cores, timeSeconds } = series.data;
    expect(timeSeconds).toEqual([START_MS / 1000]);
    expect(values.cpuBusy).toEqual([first.cpu?.busyPercent]);
    expect(values.memoryUsed).toEqual([first.memory?.usedPercent]);
    expect(values.pressureIo).toEqual([first.pressure?.io?.some.avg10Percent]);
    // lo is not traffic: eth0 and docker0 of the template, 1200 B/s each
    expect(values.networkReceive).toEqual([2400]);
    expect(cores.map((c) => c[0])).toEqual(first.cpu?.perCore.map((c) => c.busyPercent));
  });

  it('keeps at most its capacity, dropping the oldest', () => {
    const series = new LiveSeries(5);
    for (let i = 0; i < 12; i++) series.add(simulator.snapshot(i));
    expect(series.length).toBe(5);
    expect(series.data.timeSeconds[0]).toBe((START_MS + 7 * 2000) / 1000);
    expect(series.data.cores[0]).toHaveLength(5);
  });

  it('puts a null row in a gap longer than three intervals, so the line breaks', () => {
    const series = new LiveSeries();
    const later = simulator.snapshot(30);
    series.add(simulator.snapshot(0));
    series.add(simulator.snapshot(1));
    series.add(later);
    expect(series.length).toBe(4);
    expect(series.data.values.cpuBusy[2]).toBeNull();
    expect(series.data.values.cpuBusy[3]).toBe(later.cpu?.busyPercent);
  });

  it('prefills from history before the first live point, and only there', () => {
    const series = new LiveSeries();
    const live = simulator.snapshot(100);
    series.add(live);
    const point = (timeMs: number, avg: number) => ({ timeMs, avg, min: avg, max: avg });
    const answer: HistoryAnswer = {
      start: '', end: '', tier: 'raw', stepMs: 2000,
      series: { cpu_busy_percent: [point(START_MS, 11), point(START_MS + 2000, 12), point(live.timestampMs, 99)], memory_used_percent: [point(START_MS, 40)] },
    };
    series.prefill(answer);
    expect(series.data.timeSeconds).toEqual([START_MS / 1000, START_MS / 1000 + 2, live.timestampMs / 1000]);
    expect(series.data.values.cpuBusy).toEqual([11, 12, live.cpu?.busyPercent]);
    expect(series.data.values.memoryUsed).toEqual([40, null, live.memory?.usedPercent]);
    expect(series.data.values.networkReceive).toEqual([null, null, 2400]);
    expect(series.data.cores[0]).toEqual([null, null, live.cpu?.perCore[0]?.busyPercent]);
    expect(PREFILL_FIELDS).toContain('pressure_memory_some_percent');
  });
});
