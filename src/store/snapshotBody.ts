// Whole snapshots for the recent window: JSON, deflated (about 16 KiB of JSON becomes 2.6 KiB).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { MetricsSnapshot } from '../collect/types.ts';

// Level 1: a tenth of a millisecond per snapshot, within 10% of level 6's size.
export function packSnapshot(snapshot: MetricsSnapshot): Uint8Array {
  return deflateRawSync(JSON.stringify(snapshot), { level: 1 });
}

export function unpackSnapshot(body: Uint8Array): MetricsSnapshot {
  return JSON.parse(inflateRawSync(body).toString('utf8')) as MetricsSnapshot;
}
