// The terminal's state around the UI: the alternate screen and a hidden cursor on entry, and on
// every way out (quit, Ctrl-C, a signal, a crash) the screen, cursor and line mode put back.
import { writeSync } from 'node:fs';

const ENTER = '\u001b[?1049h\u001b[H\u001b[2J\u001b[?25l';
// Show the cursor, reset colours, leave the alternate screen (the shell's screen comes back).
const LEAVE = '\u001b[?25h\u001b[0m\u001b[?1049l';

export interface TerminalStreams {
  // the descriptor written to synchronously, so a restore on the way out of a crash is not lost
  outputFd: number;
  input: { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
}

export class TerminalScreen {
  private readonly streams: TerminalStreams;
  private entered = false;

  constructor(streams: TerminalStreams) {
    this.streams = streams;
  }

  enter(): void {
    if (this.entered) return;
    this.entered = true;
    this.write(ENTER);
  }

  // Safe to call any number of times, from any exit path.
  restore(): void {
    if (!this.entered) return;
    this.entered = false;
    try {
      if (this.streams.input.isTTY) this.streams.input.setRawMode?.(false);
    } catch {
      // stdin already closed (the terminal went away): nothing to put back there
    }
    this.write(LEAVE);
  }

  private write(text: string): void {
    try {
      writeSync(this.streams.outputFd, text);
    } catch {
      // EIO/EPIPE: the terminal is gone
    }
  }
}
