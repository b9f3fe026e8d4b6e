// Line output that can never block the guard: to a pipe or socket whose reader stalls, lines are
// queued up to a bound and then dropped (and counted); files and terminals take plain write(2)s.
import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';

// Four pipe buffers' worth: plenty for a reader that is merely slow.
export const MAX_QUEUED_BYTES = 256 * 1024;

export interface LineSink {
  write(line: string): void;
  // Lines dropped because the reader stalled, since the sink was opened.
  readonly dropped: number;
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}

export function openLineSink(fd: number): LineSink {
  let isStream = false;
  try {
    const stat = fstatSync(fd);
    isStream = stat.isFIFO() || stat.isSocket();
  } catch {
    // a closed descriptor: every write below fails quietly
  }
  let dropped = 0;
  if (!isStream) {
    return {
      write(line) {
        try {
          writeAll(fd, Buffer.from(`${line}\n`));
        } catch {
          dropped++;
        }
      },
      get dropped() {
        return dropped;
      },
    };
  }
  // A non-blocking libuv handle on the same descriptor: writes queue in memory instead of blocking.
  const socket = new Socket({ fd, readable: false, writable: true });
  socket.on('error', () => undefined);
  return {
    write(line) {
      if (socket.destroyed || socket.writableLength > MAX_QUEUED_BYTES) {
        dropped++;
        return;
      }
      socket.write(`${line}\n`);
    },
    get dropped() {
      return dropped;
    },
  };
}
