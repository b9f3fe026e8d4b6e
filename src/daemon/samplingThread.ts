// The main thread's handle on the sampling thread: starts it, passes on what it reports, stops it.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromSampler, SamplingSetup, ToSampler } from './samplingProtocol.ts';

// samplingWorker.ts from source, samplingWorker.js from dist/.
const WORKER_URL = new URL(`./samplingWorker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export interface SamplingHandlers {
  onMessage: (message: FromSampler) => void;
  // the thread died (an exception in a collector's setup, say): the daemon cannot go on sampling
  onFailure: (error: Error) => void;
}

export class SamplingThread {
  private readonly worker: Worker;
  private stopping = false;
  private readonly exited: Promise<void>;

  constructor(setup: SamplingSetup, handlers: SamplingHandlers) {
    this.worker = new Worker(WORKER_URL, { workerData: setup, name: 'hostguard-sampler' });
    this.worker.on('message', (message: FromSampler) => handlers.onMessage(message));
    this.worker.on('error', (error) => handlers.onFailure(error));
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        if (!this.stopping) handlers.onFailure(new Error(`the sampling thread exited (code ${code})`));
        resolve();
      });
    });
  }

  // Asks the thread to stop sampling and close its collectors; cuts it off after timeoutMs.
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopping) return this.exited;
    this.stopping = true;
    this.worker.postMessage({ type: 'stop' } satisfies ToSampler);
    const timer = setTimeout(() => void this.worker.terminate(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
