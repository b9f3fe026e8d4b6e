// Anomaly rule and episode types: what configuration produces and what the detector emits.
import type { Category, MetricName } from './metrics.ts';

export type Severity = 'info' | 'warning' | 'critical';
export type Comparison = '>' | '>=' | '<' | '<=';

interface RuleBase {
  name: string;
  metric: MetricName;
  severity: Severity;
  // how far back over the threshold the value must come to close the episode (metric units)
  hysteresis: number;
  // how long the condition must hold before an episode opens, and be gone before it closes
  forMs: number;
  clearForMs: number;
  message?: string;
}

// Opens when the value compares true against threshold for forMs.
export interface ThresholdRule extends RuleBase {
  type: 'threshold';
  comparison: Comparison;
  threshold: number;
}

// Opens when the value exceeds the mean of the previous windowMs by more than increase.
export interface SpikeRule extends RuleBase {
  type: 'spike';
  increase: number;
  windowMs: number;
}

export type Rule = ThresholdRule | SpikeRule;

export interface TriggerValue {
  timeMs: number;
  value: number;
}

// One anomaly from start to recovery, not one row per sample.
export interface Episode {
  id: string;
  rule: string;
  metric: MetricName;
  // the mount point, sensor, device or interface, for per-entity metrics
  entity?: string;
  category: Category;
  severity: Severity;
  // milliseconds since the Unix epoch; endMs is null while the episode is open
  startMs: number;
  endMs: number | null;
  peakValue: number;
  peakMs: number;
  lastValue: number;
  // the threshold, or for a spike the mean of the previous window it rose above
  reference: number;
  message: string;
  // the samples that made it open (the sustained run, at most 20, oldest first)
  triggerValues: TriggerValue[];
  // why it closed: back under the threshold, or the entity (disk, sensor) went away
  endReason?: 'recovered' | 'vanished';
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };
