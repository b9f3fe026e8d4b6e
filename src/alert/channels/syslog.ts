// earlyoom's --syslog: log lines go to syslog (facility daemon) through one long-lived logger(1) child.
//
// Node cannot open the unix datagram socket /dev/log, so util-linux logger does it, reading
// "<PRI>message" lines on stdin (--prio-prefix). --id=OUR_PID matches earlyoom's openlog(LOG_PID), and
// --socket-errors=on makes logger exit when the socket is missing or refuses a message (by default it
// would drop messages silently when PID 1 is not systemd); on that exit, lines go to stderr instead.
import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';

export type Severity = 'debug' | 'info' | 'notice' | 'warning' | 'err' | 'crit';

export interface SyslogOptions {
  tag: string;
  // Defaults to /dev/log.
  socketPath?: string;
  // RFC 5424 framing instead of logger's default RFC 3164 for local sockets.
  rfc5424?: boolean;
  // Where lines go when syslog is unavailable; defaults to process.stderr.
  stderr?: { write(text: string): unknown };
}

export interface Syslog {
  write(severity: Severity, message: string): void;
  close(): Promise<void>;
}

export const DEFAULT_SYSLOG_SOCKET = '/dev/log';
const FACILITY_DAEMON = 3;
const SEVERITY_CODE: Record<Severity, number> = { crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 };
// On an unexpected exit, lines written this recently may not have reached syslog: they are repeated.
const REPLAY_WINDOW_MS = 1000;
const CLOSE_TIMEOUT_MS = 2000;

export function priority(severity: Severity): number {
  return FACILITY_DAEMON * 8 + SEVERITY_CODE[severity];
}

// One "<PRI>text" line per line of the message, so a newline cannot start an unprefixed line.
export function formatLines(severity: Severity, message: string): string {
  const pri = priority(severity);
  return message
    .split(/\r?\n/)
    .map((line) => `<${pri}>${line}\n`)
    .join('');
}

function socketProblem(socketPath: string): string | undefined {
  try {
    return statSync(socketPath).isSocket() ? undefined : 'it is not a socket';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such socket' : (error as Error).message;
  }
}

function loggerArgs(options: SyslogOptions, socketPath: string): string[] {
  const args = ['--prio-prefix', '--tag', options.tag, `--id=${process.pid}`, '-p', 'daemon.notice', '--socket', socketPath, '--socket-errors=on'];
  if (options.rfc5424) args.push('--rfc5424');
  return args;
}

interface Line {
  severity: Severity;
  message: string;
  atMs: number;
}

function plain(lines: Line[]): string {
  return lines.map((line) => (line.message.endsWith('\n') ? line.message : `${line.message}\n`)).join('');
}

function prefixed(lines: Line[]): string {
  return lines.map((line) => formatLines(line.severity, line.message)).join('');
}

class LoggerChild implements Syslog {
  readonly #socketPath: string;
  readonly #stderr: { write(text: string): unknown };
  #child: ChildProcess | undefined;
  #started = false;
  #closing = false;
  #fallenBack = false;
  #loggerErrors = '';
  // Lines written before logger was known to run, and lines written in the last REPLAY_WINDOW_MS.
  #queued: Line[] = [];
  readonly #recent: Line[] = [];

  constructor(options: SyslogOptions) {
    this.#socketPath = options.socketPath ?? DEFAULT_SYSLOG_SOCKET;
    this.#stderr = options.stderr ?? process.stderr;
    const problem = socketProblem(this.#socketPath);
    if (problem !== undefined) {
      this.#fallBack(`${this.#socketPath}: ${problem}`, []);
      return;
    }
    const child = spawn('logger', loggerArgs(options, this.#socketPath), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#child = child;
    child.stderr?.on('data', (data: Buffer) => (this.#loggerErrors += data.toString()));
    child.once('spawn', () => this.#onSpawn());
    child.once('error', (error) => this.#fallBack(`cannot run logger: ${error.message}`, this.#queued));
    child.stdin?.on('error', () => undefined); // EPIPE after logger died; 'exit' reports it.
    child.once('exit', (code, signal) => this.#onExit(signal ?? `code ${code}`));
  }

  // Lines wait until logger is known to be running, so a failed start loses none of them.
  #onSpawn(): void {
    this.#started = true;
    this.#child?.stdin?.write(prefixed(this.#queued));
    this.#recent.push(...this.#queued);
    this.#queued = [];
  }

  #onExit(how: string): void {
    if (this.#closing) return;
    const nowMs = Date.now();
    const replay = [...this.#recent.filter((line) => nowMs - line.atMs <= REPLAY_WINDOW_MS), ...this.#queued];
    const errors = this.#loggerErrors.trim();
    this.#fallBack(`logger exited with ${how}${errors === '' ? '' : `: ${errors}`}; lines from its last second are repeated here`, replay);
  }

  #fallBack(reason: string, replay: Line[]): void {
    if (this.#fallenBack) return;
    this.#fallenBack = true;
    this.#stderr.write(`hostguard: syslog through logger on ${this.#socketPath} is unavailable (${reason}); log lines go to stderr\n`);
    this.#stderr.write(plain(replay));
  }

  write(severity: Severity, message: string): void {
    const line = { severity, message, atMs: Date.now() };
    if (this.#fallenBack || this.#closing) {
      this.#stderr.write(plain([line]));
    } else if (!this.#started) {
      this.#queued.push(line);
    } else {
      this.#recent.push(line);
      while ((this.#recent[0]?.atMs ?? line.atMs) < line.atMs - REPLAY_WINDOW_MS) this.#recent.shift();
      this.#child?.stdin?.write(formatLines(severity, message));
    }
  }

  close(): Promise<void> {
    this.#closing = true;
    const child = this.#child;
    if (child === undefined || this.#fallenBack || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      // logger sends what it has read, then exits at end of input; a hung one is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      child.once('exit', done);
      child.once('error', done);
      if (this.#started) child.stdin?.end();
      else child.once('spawn', () => child.stdin?.end());
    });
  }
}

export function openSyslog(options: SyslogOptions): Syslog {
  return new LoggerChild(options);
}
