// Writes {"name":[item,...]} item by item, yielding to the event loop every chunk, so a large answer
// (an hour of raw snapshots) never keeps the sampler's timer from firing on time.
import type { ServerResponse } from 'node:http';

const CHUNK_BYTES = 256 * 1024;

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function streamJsonArray(response: ServerResponse, name: string, items: readonly unknown[]): Promise<void> {
  let chunk = `{"count":${items.length},${JSON.stringify(name)}:[`;
  for (let i = 0; i < items.length; i++) {
    chunk += (i === 0 ? '' : ',') + JSON.stringify(items[i]);
    if (chunk.length < CHUNK_BYTES) continue;
    if (!response.write(chunk)) await drained(response);
    else await nextTurn();
    chunk = '';
    if (response.destroyed) return;
  }
  response.end(`${chunk}]}`);
}
