import { describe, expect, it } from 'vitest';
import type { ExecEvent, IoEvent, OpensEvent } from './events.ts';
import { formatBytes, formatEvent, ioTable, openTable } from './format.ts';

const at = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();

describe('formatEvent', () => {
  it('quotes arguments as a shell would read them back, and marks cut argv', () => {
    const exec: ExecEvent = { type: 'exec', timeMs: at, pid: 42, ppid: 1, uid: 0, comm: 'echo', filename: '/bin/echo', argv: ['/bin/echo', 'a b', "it's", 'plain'], argvTruncated: true };
    expect(formatEvent(exec, 'exec', 10, false)).toEqual([`03:04:05.006  exec       42       1     0  echo             /bin/echo 'a b' 'it'\\''s' plain ...`]);
    // other views do not show it
    expect(formatEvent(exec, 'exit', 10, false)).toEqual([]);
  });

  it('says what the data lacks in every view', () => {
    const loss = { type: 'loss', timeMs: Date.UTC(2026, 0, 1, 0, 0, 2), fromMs: Date.UTC(2026, 0, 1, 0, 0, 1), record: 'exec', count: 12 } as const;
    expect(formatEvent(loss, 'io', 10, false)).toEqual(['! 12 exec records lost between 2026-01-01T00:00:01.000Z and 2026-01-01T00:00:02.000Z']);
    expect(formatEvent({ type: 'status', timeMs: at, mode: 'sampled', state: 'live', message: 'eBPF unavailable: x' }, 'exec', 10, false)).toEqual(['# eBPF unavailable: x']);
    expect(formatEvent({ type: 'oom-count', timeMs: at, kills: 2, cgroup: '/job', sampled: true }, 'oom', 10, false)).toEqual(['03:04:05.006  OOM kill x2 in cgroup /job (sampled: victim unknown)']);
  });
});

describe('tables', () => {
  it('lists the files opened most, with failures by errno, and says when figures are short', () => {
    const event: OpensEvent = {
      type: 'opens',
      timeMs: at,
      startMs: at - 1000,
      rows: [
        { pid: 7, comm: 'make', path: '/src/a.h', count: 30, errors: 0 },
        { pid: 8, comm: 'cc', path: 'missing.h', count: 5, errors: 5, errnos: { ENOENT: 5 } },
      ],
      incomplete: '@opens reached the 16384-key map limit',
    };
    expect(openTable(event, 1)).toEqual([
      '03:04:05.006  35 opens of 2 files in 1.0 s, 5 failed',
      '    COUNT ERRORS     PID  COMM             FILE',
      '       30      0       7  make             /src/a.h',
      '  ! incomplete: @opens reached the 16384-key map limit',
    ]);
  });

  it('shows rates per process, or per file with the descriptor and name', () => {
    const event: IoEvent = {
      type: 'io',
      timeMs: at,
      startMs: at - 2000,
      processes: [{ pid: 9, comm: 'dd', readBytes: 0, writtenBytes: 4 * 1024 * 1024 }],
      files: [{ pid: 9, comm: 'dd', fd: 1, path: '/tmp/out', readBytes: 0, writtenBytes: 4 * 1024 * 1024 }, { pid: 9, comm: 'dd', fd: 2, readBytes: 0, writtenBytes: 10 }],
    };
    expect(ioTable(event, 10, false)).toEqual(['03:04:05.006  read 0 B, written 4.0 MiB in 2.0 s', '          READ        WRITE     PID  COMM', '         0 B/s    2.0 MiB/s       9  dd']);
    // the rates end under the READ and WRITE headings
    const [, heading = '', row = ''] = ioTable(event, 10, false);
    expect(row.indexOf('B/s') + 3).toBe(heading.indexOf('READ') + 4);
    expect(ioTable(event, 10, true).slice(2)).toEqual(['         0 B/s    2.0 MiB/s       9  dd                 1  /tmp/out', '         0 B/s        5 B/s       9  dd                 2  (name unknown)']);
  });

  it('formats sizes in binary units', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(3 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KiB', '3.0 GiB']);
  });
});
