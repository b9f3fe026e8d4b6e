// The sampling thread: the adaptive sampler, the collectors and the anomaly detector, on an event
// loop of their own, so serving requests never delays a tick and a collection never delays an answer.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../collect/clock.ts';
import { AdaptiveSampler } from '../collect/sampler.ts';
import { environmentFor, Snapshotter } from '../collect/snapshotter.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import { AnomalyDetector, type Evaluation } from '../detect/detector.ts';
import { adviseLevel } from '../detect/levelAdvisor.ts';
import type { SnapshotSource } from '../serve/metricTable.ts';
import { readProcStat } from '../sys/readHost.ts';
import { latenessClock } from './latenessClock.ts';
import type { FromSampler, SamplingSetup, ToSampler } from './samplingProtocol.ts';

const port = parentPort;
if (!port) throw new Error('samplingWorker.ts runs as a worker thread of the daemon');
const setup = workerData as SamplingSetup;
const post = (message: FromSampler): void => port.postMessage(message);

const snapshotter = new Snapshotter(setup.snapshotter);
const env = environmentFor(setup.snapshotter);
const detector = new AnomalyDetector(setup.rules);
let evaluation: Evaluation | undefined;
let lateMs = 0;
let collectionSeconds = 0;

function cpuSeconds(): SnapshotSource['cpuSeconds'] {
  if (!setup.cpuSeconds) return undefined;
  const stat = readProcStat(env.procRoot, env.clockTicksPerSecond);
  return stat.ok ? stat.value.perCpu.flatMap((times, cpu) => (times ? [{ cpu, times }] : [])) : undefined;
}

function collect(): MetricsSnapshot {
  const started = performance.now();
  const snapshot = snapshotter.collect();
  collectionSeconds = (performance.now() - started) / 1000;
  return snapshot;
}

function publish(snapshot: MetricsSnapshot): void {
  const result = evaluation ?? { opened: [], closed: [], open: detector.openEpisodes };
  evaluation = undefined;
  const cpu = cpuSeconds();
  post({ type: 'snapshot', json: JSON.stringify(snapshot), ...(cpu ? { cpuSeconds: cpu } : {}), collectionSeconds, lateMs, opened: result.opened, closed: result.closed, open: result.open });
}

const sampler = new AdaptiveSampler({
  clock: latenessClock(systemClock, (late) => {
    lateMs = late;
  }),
  levels: setup.levels,
  initialLevel: setup.initialLevel,
  collect,
  advise: (snapshot, nowMs) => {
    evaluation = detector.evaluate(snapshot, nowMs);
    return adviseLevel(evaluation.open, snapshot, setup.rules, setup.margins);
  },
  onSnapshot: publish,
  onLevelChange: (from, to, reason) => post({ type: 'level', from, to, reason, intervalMs: setup.levels[to].intervalMs, atMs: Date.now() }),
});

port.on('message', (message: ToSampler) => {
  if (message.type !== 'stop') return;
  sampler.stop();
  snapshotter.close();
  post({ type: 'stopped' });
  port.close();
});

post({ type: 'started', collectors: snapshotter.collectorNames });
sampler.start();
