// History answers to chart data: alignment, gaps, groups, episode bands.
import { describe, expect, it } from 'vitest';
import type { HistoryAnswer, StoredEpisode } from '../api/types.ts';
import { alignGroup, bandsFor, gapLimitMs, HISTORY_GROUPS, selectGroups, seriesLabel } from './history.ts';

const p = (timeMs: number, avg: number) => ({ timeMs, avg, min: avg, max: avg });
const group = (id: string) => HISTORY_GROUPS.find((g) => g.id === id) ?? HISTORY_GROUPS[0]!;

describe('alignGroup', () => {
  it('puts every series of the group on one time axis, with null where a series has no point', () => {
    const answer: HistoryAnswer = {
      start: '', end: '', tier: 'raw', stepMs: 5000,
      series: {
        cpu_iowait_percent: [p(10_000, 1), p(20_000, 2)],
        cpu_busy_percent: [p(10_000, 50), p(15_000, 55), p(20_000, 60)],
        memory_used_percent: [p(10_000, 30)],
      },
    };
    const aligned = alignGroup(answer, group('cpu'));
    expect(aligned.keys).toEqual(['cpu_busy_percent', 'cpu_iowait_percent']);
    expect(aligned.x).toEqual([10, 15, 20]);
    expect(aligned.ys).toEqual([[50, 55, 60], [1, null, 2]]);
  });

  it('orders per-entity series by entity and breaks the line where the daemon was down', () => {
    const minute = 60_000;
    const answer: HistoryAnswer = {
      start: '', end: '', tier: 'minute', stepMs: minute,
      series: { 'disk_used_percent:/var': [p(0, 5), p(minute, 6), p(10 * minute, 7)], 'disk_used_percent:/': [p(0, 1), p(minute, 2), p(10 * minute, 3)] },
    };
    const aligned = alignGroup(answer, group('disk'));
    expect(aligned.keys).toEqual(['disk_used_percent:/', 'disk_used_percent:/var']);
    expect(aligned.x).toEqual([0, 60, 60.001, 600]);
    expect(aligned.ys[0]).toEqual([1, 2, null, 3]);
  });

  it('does not call the spacing of an idle sampler a gap', () => {
    const times = Array.from({ length: 20 }, (_, i) => i * 30_000);
    expect(gapLimitMs(times, 3600)).toBe(90_000);
    expect(gapLimitMs(times.map((t) => t * 2), 3600)).toBe(180_000);
  });
});

describe('groups and bands', () => {
  it('selectGroups keeps the groups, and only the fields, that were asked for', () => {
    expect(selectGroups([]).map((g) => g.id)).toEqual(HISTORY_GROUPS.map((g) => g.id));
    expect(selectGroups(['swap_used_percent', 'cpu_busy_percent'])).toEqual([
      { ...group('cpu'), fields: ['cpu_busy_percent'] },
      { ...group('memory'), fields: ['swap_used_percent'] },
    ]);
  });

  it('bandsFor draws an episode on the chart of its metric; an open one has no end', () => {
    const episode = { id: 'a', rule: 'r', metric: 'memory_used_percent', category: 'memory', severity: 'critical', startMs: 1000, endMs: null, message: 'memory used 96 %' } as StoredEpisode;
    const closed = { ...episode, id: 'b', metric: 'cpu_busy_percent', endMs: 5000, severity: 'warning' } as StoredEpisode;
    expect(bandsFor([episode, closed], group('memory'))).toEqual([{ startSeconds: 1, endSeconds: null, severity: 'critical', label: 'memory used 96 %' }]);
    expect(bandsFor([episode, closed], group('cpu'))).toEqual([{ startSeconds: 1, endSeconds: 5, severity: 'warning', label: 'memory used 96 %' }]);
  });
});

describe('seriesLabel', () => {
  it('names an entity series by its entity and others by a short name', () => {
    expect(seriesLabel('disk_used_percent:/var/lib')).toBe('/var/lib');
    expect(seriesLabel('pressure_io_some_percent')).toBe('io');
    expect(seriesLabel('processes_zombie_count')).toBe('processes_zombie_count');
  });
});

describe('empty series', () => {
  it('leaves out a series the answer has no point for', () => {
    const answer: HistoryAnswer = { start: '', end: '', tier: 'raw', stepMs: 1000, series: { temperature_celsius: [], 'temperature_celsius:acpitz': [p(0, 40)] } };
    expect(alignGroup(answer, group('temperature')).keys).toEqual(['temperature_celsius:acpitz']);
  });
});
