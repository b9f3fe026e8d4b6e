// Which sampling level the host calls for: from the open episodes, and from how near the metrics
// are to the thresholds of the warning and critical rules.
import type { LevelName } from '../collect/sampler.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import { METRICS } from './metrics.ts';
import { type Episode, type Rule, SEVERITY_RANK } from './rules.ts';

export interface NearMargins {
  // a value within this many units (percentage points, degrees) of a threshold
  intensive: number;
  normal: number;
}

// How far below (or above, for "<" rules) the threshold the worst value of a rule is; only for
// percentages and temperatures, where a margin in the metric's unit means something.
function distanceToThreshold(rule: Rule, snapshot: MetricsSnapshot): number | undefined {
  if (rule.type !== 'threshold' || rule.severity === 'info') return undefined;
  const metric = METRICS[rule.metric];
  if (metric.unit !== 'percent' && metric.unit !== 'celsius') return undefined;
  const values = metric.read(snapshot) ?? [];
  const above = rule.comparison === '>' || rule.comparison === '>=';
  const distances = values.map(({ value }) => (above ? rule.threshold - value : value - rule.threshold));
  return distances.length === 0 ? undefined : Math.min(...distances);
}

export function adviseLevel(open: Episode[], snapshot: MetricsSnapshot, rules: Rule[], margins: NearMargins): LevelName {
  const worst = Math.max(0, ...open.map((e) => SEVERITY_RANK[e.severity]));
  if (worst >= SEVERITY_RANK.critical) return 'critical';
  if (worst >= SEVERITY_RANK.warning) return 'intensive';
  const nearest = Math.min(Infinity, ...rules.map((rule) => distanceToThreshold(rule, snapshot) ?? Infinity));
  if (nearest <= margins.intensive) return 'intensive';
  if (worst >= SEVERITY_RANK.info || nearest <= margins.normal) return 'normal';
  return 'idle';
}
