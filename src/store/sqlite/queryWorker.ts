// The query worker's entry point: its own connection to the database answers the store's read
// requests one at a time, and checkpoints the WAL, so neither runs on the sampling thread.
import { parentPort, workerData } from 'node:worker_threads';
import { openReader } from './database.ts';
import { SqliteReader } from './reader.ts';
import { RecordReader } from './recordReader.ts';
import type { WorkerRequest, WorkerResponse, WorkerSettings } from './workerProtocol.ts';

const settings = workerData as WorkerSettings;
const db = openReader(settings.path);
const reader = new SqliteReader(db);
const records = new RecordReader(db);

async function answer(request: WorkerRequest): Promise<unknown> {
  switch (request.method) {
    case 'history':
      return reader.history(request.query);
    case 'snapshotsSince':
      return reader.snapshotsSince(request.sinceMs);
    case 'latestSnapshot':
      return reader.latestSnapshot();
    case 'anomalies':
      return reader.anomalies(request.query, request.hostId);
    case 'anomaly':
      return reader.anomaly(request.id);
    case 'alerts':
      return records.alerts(request.query, request.hostId);
    case 'alert':
      return records.alert(request.id, request.hostId);
    case 'events':
      return records.events(request.query, request.hostId);
    case 'hosts':
      return reader.hosts();
    case 'checkpoint':
      return reader.checkpoint();
    case 'close':
      return reader.close();
  }
}

let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (message: { id: number; request: WorkerRequest }) => {
  queue = queue.then(async () => {
    let response: WorkerResponse;
    try {
      response = { id: message.id, ok: true, value: await answer(message.request) };
    } catch (error) {
      response = { id: message.id, ok: false, name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
    }
    parentPort?.postMessage(response);
  });
});

// Checkpoints keep the WAL short; an unref'd timer, so it never keeps the worker alive by itself.
setInterval(() => {
  queue = queue.then(() => reader.checkpoint()).catch(() => undefined);
}, settings.checkpointEveryMs).unref();
