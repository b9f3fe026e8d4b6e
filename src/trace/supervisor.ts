// Runs a line-printing child (bpftrace) under supervision: waits for its ready line, restarts it
// with backoff when it dies, and stops it by PID (SIGINT, then SIGKILL) so that no probe outlives us.
import { type ChildProcess, spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { type Clock, systemClock } from '../collect/clock.ts';

export interface SupervisorOptions {
  command: string;
  args: string[];
  // what messages call it (the command may be a wrapper such as setpriv)
  name?: string;
  env?: NodeJS.ProcessEnv;
  isReady: (line: string) => boolean;
  clock?: Clock;
  readyTimeoutMs?: number;
  // the delay before the first restart, doubled up to maxBackoffMs while restarts keep failing
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  // once it has run, this many failed starts in a row give up (a first start that fails gives up)
  maxFailedStarts?: number;
  stopTimeoutMs?: number;
}

export interface DownInfo {
  atMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  // the last error line on stderr, or how it ended
  reason: string;
  wasReady: boolean;
  // stopped on request, not crashed
  requested: boolean;
}

export interface SupervisorHandlers {
  line(line: string): void;
  // after the lines of one read: a good moment to hand on what they made
  chunkEnd(): void;
  ready(pid: number, atMs: number): void;
  down(info: DownInfo): void;
  // no more restarts: the reason, for a fallback to say
  giveUp(reason: string): void;
  stderr(line: string): void;
}

const STDERR_TAIL = 20;

export class Supervisor {
  private readonly options: Required<Omit<SupervisorOptions, 'env' | 'name'>> & { env?: NodeJS.ProcessEnv };
  private readonly name: string;
  private readonly handlers: SupervisorHandlers;
  private child: ChildProcess | undefined;
  private stopping = false;
  private everReady = false;
  private ready = false;
  private failedStarts = 0;
  private restartTimer: unknown;
  private readyTimer: unknown;
  private stderrTail: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private paused = false;
  restarts = 0;

  constructor(options: SupervisorOptions, handlers: SupervisorHandlers) {
    this.options = {
      clock: systemClock,
      readyTimeoutMs: 60_000,
      initialBackoffMs: 1000,
      maxBackoffMs: 30_000,
      maxFailedStarts: 5,
      stopTimeoutMs: 10_000,
      ...options,
    };
    this.handlers = handlers;
    this.name = options.name ?? options.command;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isReady(): boolean {
    return this.ready;
  }

  start(): void {
    this.stopping = false;
    this.launch();
  }

  private launch(): void {
    const child = spawn(this.options.command, this.options.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group: a terminal's Ctrl-C reaches us, and we stop it in order
      detached: true,
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    this.child = child;
    this.ready = false;
    this.stderrTail = [];
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    this.readLines(child);
    this.readyTimer = this.options.clock.setTimeout(() => {
      if (!this.ready && this.child === child) {
        this.stderrTail.push(`not ready after ${this.options.readyTimeoutMs} ms`);
        child.kill('SIGKILL');
      }
    }, this.options.readyTimeoutMs);
    child.once('error', (error) => this.stderrTail.push(`cannot start ${this.name}: ${error.message}`));
    child.once('close', (code, signal) => this.onClose(child, code, signal));
    // A grandchild holding the pipes open would delay 'close' for ever: a second after the exit, let go.
    child.once('exit', () => {
      const timer = this.options.clock.setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, 1000);
      child.once('close', () => this.options.clock.clearTimeout(timer));
    });
    if (this.paused) child.stdout?.pause();
  }

  private readLines(child: ChildProcess): void {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        if (!this.ready && this.options.isReady(line)) this.becomeReady(child);
        this.handlers.line(line);
      }
      this.handlers.chunkEnd();
    });
    const errDecoder = new StringDecoder('utf8');
    let errPartial = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (errPartial + errDecoder.write(chunk)).split('\n');
      errPartial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== '')) {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
        this.handlers.stderr(line);
      }
    });
  }

  private becomeReady(child: ChildProcess): void {
    this.ready = true;
    this.everReady = true;
    this.failedStarts = 0;
    this.options.clock.clearTimeout(this.readyTimer);
    this.handlers.ready(child.pid ?? 0, this.options.clock.now());
  }

  private reason(code: number | null, signal: NodeJS.Signals | null): string {
    // bpftrace warns about RLIMIT_MEMLOCK on every start; kernels >= 5.11 charge BPF memory to the cgroup instead.
    const errors = this.stderrTail.filter((line) => /error|not found|cannot|permission|not ready/i.test(line) && !line.includes('RLIMIT_MEMLOCK'));
    const last = errors.at(-1) ?? this.stderrTail.at(-1);
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    return last ? `${this.name} ${how}: ${last.trim()}` : `${this.name} ${how}`;
  }

  private onClose(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.options.clock.clearTimeout(this.readyTimer);
    this.child = undefined;
    const wasReady = this.ready;
    this.ready = false;
    const reason = this.reason(code, signal);
    this.handlers.down({ atMs: this.options.clock.now(), code, signal, reason, wasReady, requested: this.stopping });
    if (this.stopping) return;
    if (!wasReady) this.failedStarts++;
    if (!this.everReady || this.failedStarts >= this.options.maxFailedStarts) {
      this.handlers.giveUp(reason);
      return;
    }
    const delayMs = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** this.failedStarts);
    this.restartTimer = this.options.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.launch();
    }, delayMs);
  }

  // Stops reading the child's output (it blocks once the pipe is full, and its perf buffers fill).
  pause(): void {
    this.paused = true;
    this.child?.stdout?.pause();
  }

  resume(): void {
    this.paused = false;
    this.child?.stdout?.resume();
  }

  // SIGINT lets bpftrace run END and detach; SIGKILL after stopTimeoutMs (the kernel detaches
  // probes when the process's descriptors close either way). Detaching takes the kernel about 2 s
  // here, whatever the signal: a caller with a deadline (the daemon) waits at most waitMs and lets
  // bpftrace finish exiting on its own.
  async stop(waitMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== undefined) {
      this.options.clock.clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
    const child = this.child;
    if (!child) return;
    // Reading must go on while it exits: END prints, and a blocked write would hold it forever.
    child.stdout?.resume();
    child.kill('SIGINT');
    const timer = this.options.clock.setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
    const exited = this.exited.then(() => true);
    const done = Number.isFinite(waitMs) ? await Promise.race([exited, new Promise<boolean>((resolve) => this.options.clock.setTimeout(() => resolve(false), waitMs))]) : await exited;
    if (done) {
      this.options.clock.clearTimeout(timer);
      return;
    }
    // Still detaching: it must not keep the caller's process alive while it finishes.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) if (stream && 'unref' in stream && typeof stream.unref === 'function') stream.unref();
    if (typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') timer.unref();
  }
}
