// The sampling thread's side of the query worker: requests by id, answers as promises. The
// worker keeps the process alive only while a request is pending.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HistoryQueryError } from '../history.ts';
import type { WorkerRequest, WorkerResponse, WorkerSettings } from './workerProtocol.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

// queryWorker.ts when running from source, queryWorker.js from the dist/ build.
const WORKER_URL = new URL(`./queryWorker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export class QueryWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(settings: WorkerSettings) {
    this.worker = new Worker(WORKER_URL, { workerData: settings });
    this.worker.unref();
    this.worker.on('message', (response: WorkerResponse) => this.settle(response));
    this.worker.on('error', (error: Error) => this.fail(new Error(`store query worker failed: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => this.fail(new Error(`store query worker exited (code ${code})`)));
  }

  request<T>(request: WorkerRequest): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, request });
    });
  }

  private settle(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (pending === undefined) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if (response.ok) pending.resolve(response.value);
    else pending.reject(response.name === 'HistoryQueryError' ? new HistoryQueryError(response.message) : new Error(response.message));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  healthy(): boolean {
    return this.failure === undefined;
  }

  // Lets the worker close its connection (so the last close can remove the WAL), then stops it.
  async close(): Promise<void> {
    if (this.failure === undefined) await this.request({ method: 'close' }).catch(() => undefined);
    this.failure ??= new Error('store closed');
    await this.worker.terminate();
  }
}
