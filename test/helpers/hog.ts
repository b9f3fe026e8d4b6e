// A memory hog for tests and benchmarks: allocates and touches memory in chunks at a chosen rate,
// then holds it. Usage: node hog.ts --total-mib N [--rate-mib-s N (0: full speed)] [--chunk-mib N]
//   [--hold-ms N] [--ignore-term] [--title NAME] [--progress]  (progress: one JSON line per chunk)
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'total-mib': { type: 'string', default: '1024' },
    'rate-mib-s': { type: 'string', default: '0' },
    'chunk-mib': { type: 'string', default: '8' },
    'hold-ms': { type: 'string', default: '60000' },
    'ignore-term': { type: 'boolean', default: false },
    title: { type: 'string' },
    progress: { type: 'boolean', default: false },
  },
});

const MiB = 1024 * 1024;
const totalMiB = Number(values['total-mib']);
const rateMiBs = Number(values['rate-mib-s']);
const chunkMiB = Number(values['chunk-mib']);
const holdMs = Number(values['hold-ms']);
if (values.title) process.title = values.title;
// Ignoring SIGTERM: a handler replaces the default action; while the loop runs it never gets to run.
if (values['ignore-term']) process.on('SIGTERM', () => undefined);

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const held: Buffer[] = [];
const startMs = performance.now();
process.stdout.write(`${JSON.stringify({ event: 'start', pid: process.pid, epochMs: Date.now() })}\n`);
for (let allocated = 0; allocated < totalMiB; allocated += chunkMiB) {
  // fill() touches every page, so the memory is really resident.
  held.push(Buffer.allocUnsafeSlow(chunkMiB * MiB).fill(held.length & 0xff));
  if (values.progress) process.stdout.write(`${JSON.stringify({ event: 'chunk', mib: allocated + chunkMiB, epochMs: performance.timeOrigin + performance.now() })}\n`);
  if (rateMiBs > 0) {
    const dueMs = ((allocated + chunkMiB) / rateMiBs) * 1000;
    const aheadMs = dueMs - (performance.now() - startMs);
    if (aheadMs > 0) Atomics.wait(sleeper, 0, 0, aheadMs);
  }
}
process.stdout.write(`${JSON.stringify({ event: 'holding', mib: held.length * chunkMiB, epochMs: Date.now() })}\n`);
// Referencing `held` here keeps the buffers alive: otherwise V8 may collect them once the loop ends.
setTimeout(() => process.exit(held.length > 0 ? 0 : 1), holdMs);
