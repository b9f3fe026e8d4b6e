// Messages between the daemon's main thread (store, API) and its sampling thread (collect, detect).
import type { LevelName, LevelSettings } from '../collect/sampler.ts';
import type { SnapshotterOptions } from '../collect/snapshotter.ts';
import type { Episode, Rule } from '../detect/rules.ts';
import type { SnapshotSource } from '../serve/metricTable.ts';

export interface SamplingSetup {
  levels: Record<LevelName, LevelSettings>;
  initialLevel: LevelName;
  margins: { intensive: number; normal: number };
  rules: Rule[];
  snapshotter: SnapshotterOptions;
  // read /proc/stat beside each snapshot for node_cpu_seconds_total
  cpuSeconds: boolean;
}

export type ToSampler = { type: 'stop' };

export type FromSampler =
  | { type: 'started'; collectors: string[] }
  | {
      type: 'snapshot';
      // serialized in the sampling thread, so the serving thread only parses it once
      json: string;
      cpuSeconds?: SnapshotSource['cpuSeconds'];
      collectionSeconds: number;
      // how late the tick that took this snapshot ran
      lateMs: number;
      opened: Episode[];
      closed: Episode[];
      open: Episode[];
    }
  | { type: 'level'; from: LevelName; to: LevelName; reason: string; intervalMs: number; atMs: number }
  | { type: 'stopped' };
