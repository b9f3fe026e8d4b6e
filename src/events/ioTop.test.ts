import { describe, expect, it } from 'vitest';
import { IoTop } from './ioTop.ts';

const T = 1_800_000_000_000;

describe('IoTop', () => {
  it('sums the intervals inside the window, by process or by file, largest first', () => {
    const top = new IoTop({ windowMs: 600_000, maxRowsPerInterval: 100 });
    for (let i = 0; i < 3; i++) {
      top.add({ type: 'io', timeMs: T + i * 1000, startMs: T + i * 1000 - 1000, processes: [{ pid: 1, comm: 'dd', readBytes: 0, writtenBytes: 100 }, { pid: 2, comm: 'cat', readBytes: 10, writtenBytes: 0 }], files: [{ pid: 1, comm: 'dd', fd: 3, path: '/tmp/big', readBytes: 0, writtenBytes: 100 }] });
      top.add({ type: 'opens', timeMs: T + i * 1000, startMs: T + i * 1000 - 1000, rows: [{ pid: 2, comm: 'cat', path: '/etc/hosts', count: 2, errors: 1 }] });
    }
    const byProcess = top.top('process', 60_000, T + 2000, 10);
    expect(byProcess.rows).toEqual([
      { pid: 1, comm: 'dd', readBytes: 0, writtenBytes: 300, opens: 0, openErrors: 0 },
      { pid: 2, comm: 'cat', readBytes: 30, writtenBytes: 0, opens: 6, openErrors: 3 },
    ]);
    const byFile = top.top('file', 60_000, T + 2000, 10);
    expect(byFile.rows.map((r) => [r.file, r.writtenBytes, r.opens])).toEqual([['/tmp/big', 300, 0], ['/etc/hosts', 0, 6]]);
    // a window of 1.5 s holds the last two intervals only
    expect(top.top('process', 1500, T + 2000, 10).rows[0]?.writtenBytes).toBe(200);
  });

  it('keeps memory bounded: old intervals expire and small rows fold into "(other)"', () => {
    const top = new IoTop({ windowMs: 5000, maxRowsPerInterval: 2 });
    top.add({ type: 'io', timeMs: T, startMs: T - 1000, processes: [1, 2, 3, 4].map((pid) => ({ pid, readBytes: pid * 10, writtenBytes: 0 })) });
    const rows = top.top('process', 5000, T, 10).rows;
    expect(rows.map((r) => [r.comm ?? r.pid, r.readBytes])).toEqual([[4, 40], [3, 30], ['(other)', 30]]);
    top.add({ type: 'io', timeMs: T + 10_000, startMs: T + 9000, processes: [{ pid: 9, readBytes: 1, writtenBytes: 0 }] });
    expect(top.top('process', 60_000, T + 10_000, 10).rows.map((r) => r.pid)).toEqual([9]);
  });

  it('says when an interval in the window was incomplete or sampled', () => {
    const top = new IoTop({ windowMs: 60_000, maxRowsPerInterval: 10 });
    top.add({ type: 'io', timeMs: T, startMs: T - 1000, processes: [], incomplete: 'map key limit reached', sampled: true });
    const result = top.top('process', 60_000, T, 10);
    expect(result.incomplete).toEqual([`${new Date(T).toISOString()}: map key limit reached`]);
    expect(result.sampled).toBe(true);
  });
});
