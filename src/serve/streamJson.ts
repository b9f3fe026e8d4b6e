// {"count":N,"name":[item,...]} produced chunk by chunk (about 256 KiB each), yielding to the event
// loop between chunks, so a large answer (an hour of raw snapshots) never keeps the sampler's timer or
// other requests waiting; the server pulls the next chunk only when the client has read the last.
const CHUNK_BYTES = 256 * 1024;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function* jsonArrayChunks(name: string, items: readonly unknown[]): AsyncGenerator<string> {
  let chunk = `{"count":${items.length},${JSON.stringify(name)}:[`;
  for (let i = 0; i < items.length; i++) {
    chunk += (i === 0 ? '' : ',') + JSON.stringify(items[i]);
    if (chunk.length < CHUNK_BYTES) continue;
    yield chunk;
    chunk = '';
    await nextTurn();
  }
  yield `${chunk}]}`;
}
