// Script hook: an executable run with the alert in HOSTGUARD_ALERT_* variables and as JSON on
// stdin, killed after the timeout; its exit status decides the delivery status. The executables are
// started from a thread of the channel's own (scriptRunner.ts), so spawning never blocks the alert
// system's thread; the thread holds the process open only while a script runs, and close() ends it.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AlertChannel } from '../channel.ts';
import { withinMs } from './deadline.ts';
import type { Alert, AlertEvent } from '../model.ts';
import type { FromRunner, ToRunner } from './scriptRunner.ts';

// scriptRunner.ts from source, scriptRunner.js from dist/.
const RUNNER_URL = new URL(`./scriptRunner${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export interface ScriptOptions {
  path: string;
  name?: string;
}

export function alertEnvironment(alert: Alert, event: AlertEvent): Record<string, string> {
  return {
    HOSTGUARD_ALERT_EVENT: event,
    HOSTGUARD_ALERT_ID: alert.id,
    HOSTGUARD_ALERT_TYPE: alert.type,
    HOSTGUARD_ALERT_SEVERITY: alert.severity,
    HOSTGUARD_ALERT_STATE: alert.state,
    HOSTGUARD_ALERT_TITLE: alert.title,
    HOSTGUARD_ALERT_MESSAGE: alert.message,
    HOSTGUARD_ALERT_HOST: alert.host,
    HOSTGUARD_ALERT_TIME: new Date(alert.timeMs).toISOString(),
  };
}

type Ended = Extract<FromRunner, { type: 'exit' }> | Extract<FromRunner, { type: 'error' }>;

// One runner thread per channel, started on first use; referenced only while runs are pending.
class Runner {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, (ended: Ended) => void>();

  run(path: string, env: Record<string, string>, input: string, abort: AbortSignal): Promise<Ended> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const kill = (): void => worker.postMessage({ type: 'kill', id } satisfies ToRunner);
      abort.addEventListener('abort', kill, { once: true });
      this.#pending.set(id, (ended) => {
        abort.removeEventListener('abort', kill);
        resolve(ended);
      });
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ type: 'run', id, path, env, input } satisfies ToRunner);
      if (abort.aborted) kill();
    });
  }

  // Kills the scripts still running (and waits up to 500 ms to hear that they ended), then ends the
  // thread: ending it first would leave its children running.
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const ended = [...this.#pending.keys()].map((id) => {
      worker.postMessage({ type: 'kill', id } satisfies ToRunner);
      return new Promise<void>((resolve) => {
        const done = this.#pending.get(id);
        this.#pending.set(id, (message) => {
          done?.(message);
          resolve();
        });
      });
    });
    await withinMs(Promise.all(ended), 500);
    this.#worker = undefined;
    for (const [id, done] of this.#pending) done({ type: 'error', id, message: 'the script channel was closed' });
    this.#pending.clear();
    await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(RUNNER_URL, { name: 'hostguard-alert-scripts' });
    worker.on('message', (message: FromRunner) => {
      const done = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (this.#pending.size === 0) worker.unref();
      done?.(message);
    });
    // the thread died: every run in flight fails, the next run starts a new thread
    worker.on('error', (error) => this.#fail(worker, error.message));
    worker.on('exit', (code) => this.#fail(worker, `the script thread exited (code ${code})`));
    this.#worker = worker;
    return worker;
  }

  #fail(worker: Worker, message: string): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    for (const [id, done] of this.#pending) done({ type: 'error', id, message });
    this.#pending.clear();
  }
}

export function scriptChannel(options: ScriptOptions): AlertChannel & { close(): Promise<void> } {
  const runner = new Runner();
  return {
    name: options.name ?? `script:${options.path}`,
    async send(alert, event, abort) {
      const env = { ...(process.env as Record<string, string>), ...alertEnvironment(alert, event) };
      const ended = await runner.run(options.path, env, JSON.stringify({ event, alert }), abort);
      if (ended.type === 'error') throw new Error(`${options.path}: ${ended.message}`);
      if (ended.code === 0) return;
      const stderr = ended.stderr.trim();
      throw new Error(`${options.path} ${ended.signal ? `was killed by ${ended.signal}` : `exited with status ${ended.code}`}${stderr ? `: ${stderr}` : ''}`);
    },
    close: () => runner.close(),
  };
}
