// The guard's output must never block it: a pipe nobody reads fills, and then lines are dropped.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_BYTES, openLineSink } from './lineSink.ts';

describe('openLineSink', () => {
  it('drops lines instead of blocking when the reader of a pipe stalls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-sink-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // The shell opens the FIFO for reading, then sleeps without ever reading it.
    const reader = spawn('/bin/sh', ['-c', 'exec sleep 30 < "$0"', fifo], { stdio: 'ignore' });
    try {
      const fd = openSync(fifo, 'w');
      const sink = openLineSink(fd);
      const line = 'x'.repeat(300);
      // 1.5 MB into a 64 KiB pipe: if a write blocked, this loop would never end and the test would time out.
      for (let i = 0; i < 5000; i++) sink.write(line);
      expect(sink.dropped).toBeGreaterThan(5000 - (MAX_QUEUED_BYTES + 65536) / 301 - 10);
    } finally {
      reader.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes whole lines to a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-sink-'));
    try {
      const fd = openSync(join(dir, 'out'), 'w');
      const sink = openLineSink(fd);
      sink.write('first');
      sink.write('second');
      closeSync(fd);
      expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('first\nsecond\n');
      expect(sink.dropped).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts writes to a closed descriptor as dropped, without throwing', () => {
    const sink = openLineSink(987_654);
    expect(() => sink.write('lost')).not.toThrow();
    expect(sink.dropped).toBe(1);
  });
});
