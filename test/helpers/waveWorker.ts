// A worker for the graduated-response proof: each wave allocates and touches --mib MiB, holds it
// --hold-ms, frees it, and says so as JSON lines on stdout. Run it with the two flags below: gc()
// to free at once, and no concurrent ArrayBuffer sweeping, without which V8 hands the memory back
// on a background thread ~100 ms later, while the next wave already allocates.
// Usage: node --expose-gc --no-concurrent-array-buffer-sweeping waveWorker.ts --waves N [--mib 320]
//   [--hold-ms 1000] [--chunk-mib 8] [--rate-mib-s N (0: full speed)] [--start-delay-ms N] [--title NAME]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    waves: { type: 'string', default: '5' },
    mib: { type: 'string', default: '320' },
    'hold-ms': { type: 'string', default: '1000' },
    'chunk-mib': { type: 'string', default: '8' },
    'rate-mib-s': { type: 'string', default: '0' },
    'start-delay-ms': { type: 'string', default: '0' },
    title: { type: 'string' },
  },
});

const MiB = 1024 * 1024;
const waves = Number(values.waves);
const totalMiB = Number(values.mib);
const holdMs = Number(values['hold-ms']);
const chunkMiB = Number(values['chunk-mib']);
const rateMiBs = Number(values['rate-mib-s']);
const startDelayMs = Number(values['start-delay-ms']);
if (values.title) process.title = values.title;
const WAVE_WORKER_FLAGS = ['--expose-gc', '--no-concurrent-array-buffer-sweeping'];
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect || !WAVE_WORKER_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  throw new Error(`waveWorker needs node ${WAVE_WORKER_FLAGS.join(' ')} to free its memory when it says so`);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const say = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify({ ...event, epochMs: Date.now() })}\n`);

// Chunk by chunk; with a rate, each chunk is followed by its share of time (no catching up after a
// stop: a worker held by SIGSTOP is slower, as a real one doing work per chunk would be).
function allocate(): Buffer[] {
  const held: Buffer[] = [];
  for (let allocated = 0; allocated < totalMiB; allocated += chunkMiB) {
    held.push(Buffer.allocUnsafeSlow(chunkMiB * MiB).fill(held.length & 0xff));
    if (rateMiBs > 0) Atomics.wait(sleeper, 0, 0, (chunkMiB / rateMiBs) * 1000);
  }
  return held;
}

async function run(): Promise<void> {
  say({ event: 'start', pid: process.pid });
  if (startDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, startDelayMs));
  const startMs = performance.now();
  for (let wave = 1; wave <= waves; wave++) {
    const waveStartMs = performance.now();
    const held = allocate();
    const allocMs = performance.now() - waveStartMs;
    say({ event: 'allocated', wave, allocMs: Math.round(allocMs) });
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    const heldMiB = held.length * chunkMiB;
    // Emptying the array drops the last references; gc() then frees the buffers at once.
    held.length = 0;
    collect?.();
    say({ event: 'wave', wave, heldMiB, allocMs: Math.round(allocMs), waveMs: Math.round(performance.now() - waveStartMs) });
  }
  say({ event: 'done', waves, elapsedMs: Math.round(performance.now() - startMs) });
}

await run();
