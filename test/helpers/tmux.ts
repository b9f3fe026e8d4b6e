// A tmux server of its own (tmux -L <unique socket>) with one pane running a plain bash, for driving
// a terminal program as a person would: type, press keys, read the screen. Killed by its socket.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

let sequence = 0;

export interface TmuxOptions {
  columns: number;
  rows: number;
  cwd: string;
  env?: Record<string, string>;
}

// The prompt the pane's shell shows, so a test can tell the shell is back (capture-pane drops the
// space after it).
export const PROMPT = 'READY$';

export class TmuxPane {
  readonly socket: string;
  private alive = true;

  private constructor(socket: string) {
    this.socket = socket;
  }

  static async start(options: TmuxOptions): Promise<TmuxPane> {
    const pane = new TmuxPane(`hg-top-test-${process.pid}-${++sequence}`);
    // CI set would make Ink print only the last frame; the pane is a terminal, as a person's is.
    const env: Record<string, string> = { LANG: 'C.UTF-8', HOME: process.env.HOME ?? '/root', PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env };
    const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    pane.tmux(['-f', '/dev/null', 'new-session', '-d', '-x', String(options.columns), '-y', String(options.rows), '-c', options.cwd, ...envArgs, 'env -u CI -u CONTINUOUS_INTEGRATION bash --norc --noprofile']);
    try {
      // bash sets its own PS1 even when the environment has one: set it by typing.
      pane.type(`PS1='${PROMPT} '; clear`, true);
      await pane.waitFor((screen) => screen.startsWith(PROMPT), 'the shell prompt');
    } catch (error) {
      pane.kill();
      throw error;
    }
    return pane;
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-u', '-L', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  }

  // Text typed as is (no key names), then Enter when asked.
  type(text: string, enter = false): void {
    this.tmux(['send-keys', '-t', '0', '-l', text]);
    if (enter) this.keys('Enter');
  }

  // Key names as tmux knows them: Enter, Tab, Escape, C-c, Down, ...
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', '0', ...names]);
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', '0']);
  }

  // A pane variable: alternate_on (1 while a program uses the alternate screen), cursor_flag (1 when
  // the cursor is visible), pane_width, ...
  variable(name: string): string {
    return this.tmux(['display-message', '-p', '-t', '0', `#{${name}}`]).trim();
  }

  resize(columns: number, rows: number): void {
    this.tmux(['resize-window', '-t', '0', '-x', String(columns), '-y', String(rows)]);
  }

  // Polls the screen until the check passes; the machine may be busy, so the default wait is long.
  async waitFor(check: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (check(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  waitForText(text: string, timeoutMs?: number): Promise<string> {
    return this.waitFor((screen) => screen.includes(text), JSON.stringify(text), timeoutMs);
  }

  // Ends the server (and the shell and anything still running in the pane) and removes its socket.
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    let socketPath: string | undefined;
    try {
      socketPath = this.tmux(['display-message', '-p', '#{socket_path}']).trim();
      this.tmux(['kill-server']);
    } catch {
      // the server ended with its last pane already
    }
    if (socketPath?.endsWith(`/${this.socket}`)) rmSync(socketPath, { force: true });
  }
}
