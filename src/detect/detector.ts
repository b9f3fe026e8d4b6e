// The anomaly detector: evaluates rules over successive snapshots and turns sustained conditions
// into episodes (open, peak, closed), with `for` durations, hysteresis and spike rules.
import { randomUUID } from 'node:crypto';
import type { MetricsSnapshot } from '../collect/types.ts';
import { METRICS, UNIT_SYMBOLS } from './metrics.ts';
import type { Episode, Rule, TriggerValue } from './rules.ts';

const MAX_TRIGGER_VALUES = 20;

export interface DetectorOptions {
  newId?: () => string;
}

export interface Evaluation {
  opened: Episode[];
  closed: Episode[];
  // every episode open after this evaluation
  open: Episode[];
}

interface State {
  // the condition has held since (undefined: it does not hold)
  since?: number;
  run: TriggerValue[];
  episode?: Episode;
  // the clearing condition has held since, for an open episode
  clearingSince?: number;
  // spike rules: recent values of the metric
  history: TriggerValue[];
}

function format(value: number, unit: keyof typeof UNIT_SYMBOLS): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)}${UNIT_SYMBOLS[unit]}`;
}

function compare(value: number, comparison: string, threshold: number): boolean {
  return comparison === '>' ? value > threshold : comparison === '>=' ? value >= threshold : comparison === '<' ? value < threshold : value <= threshold;
}

// For a rule on "less than", lower is worse.
function isWorse(rule: Rule, value: number, than: number): boolean {
  return rule.type === 'threshold' && (rule.comparison === '<' || rule.comparison === '<=') ? value < than : value > than;
}

// The mean of the values in [now - window, now), undefined without any.
function windowMean(history: TriggerValue[], nowMs: number, windowMs: number): number | undefined {
  const inWindow = history.filter((h) => h.timeMs >= nowMs - windowMs && h.timeMs < nowMs);
  return inWindow.length === 0 ? undefined : inWindow.reduce((sum, h) => sum + h.value, 0) / inWindow.length;
}

// Whether the rule's condition holds, whether it has cleared (past the hysteresis), and the reference value.
function assess(rule: Rule, value: number, state: State, nowMs: number): { holds: boolean; cleared: boolean; reference: number } | undefined {
  if (rule.type === 'threshold') {
    const above = rule.comparison === '>' || rule.comparison === '>=';
    const clearLine = above ? rule.threshold - rule.hysteresis : rule.threshold + rule.hysteresis;
    return { holds: compare(value, rule.comparison, rule.threshold), cleared: above ? value <= clearLine : value >= clearLine, reference: rule.threshold };
  }
  const mean = windowMean(state.history, nowMs, rule.windowMs);
  if (mean === undefined) return undefined;
  const rise = value - mean;
  return { holds: rise > rule.increase, cleared: rise <= rule.increase - rule.hysteresis, reference: mean };
}

function peakOf(rule: Rule, run: TriggerValue[], last: TriggerValue): { peakValue: number; peakMs: number } {
  const peak = run.reduce((best, sample) => (isWorse(rule, sample.value, best.value) ? sample : best), last);
  return { peakValue: peak.value, peakMs: peak.timeMs };
}

export class AnomalyDetector {
  private readonly rules: Rule[];
  private readonly newId: () => string;
  private readonly states = new Map<string, State>();

  constructor(rules: Rule[], options: DetectorOptions = {}) {
    this.rules = rules;
    this.newId = options.newId ?? randomUUID;
  }

  get openEpisodes(): Episode[] {
    return [...this.states.values()].flatMap((s) => (s.episode ? [s.episode] : []));
  }

  evaluate(snapshot: MetricsSnapshot, nowMs = snapshot.timestampMs): Evaluation {
    const opened: Episode[] = [];
    const closed: Episode[] = [];
    for (const rule of this.rules) {
      const values = METRICS[rule.metric].read(snapshot);
      // Section absent (collector off or failed): nothing is known, nothing changes.
      if (values === undefined) continue;
      const present = new Set<string>();
      for (const { entity, value } of values) {
        const key = `${rule.name}\u0000${entity ?? ''}`;
        present.add(key);
        const state = this.states.get(key) ?? { run: [], history: [] };
        this.states.set(key, state);
        this.step(rule, entity, value, state, nowMs, opened, closed);
      }
      this.closeVanished(rule, present, nowMs, closed);
    }
    return { opened, closed, open: this.openEpisodes };
  }

  private step(rule: Rule, entity: string | undefined, value: number, state: State, nowMs: number, opened: Episode[], closed: Episode[]): void {
    const verdict = assess(rule, value, state, nowMs);
    if (rule.type === 'spike') {
      state.history.push({ timeMs: nowMs, value });
      state.history = state.history.filter((h) => h.timeMs >= nowMs - rule.windowMs);
    }
    if (!verdict) return;
    const episode = state.episode;
    if (episode) {
      episode.lastValue = value;
      if (isWorse(rule, value, episode.peakValue)) Object.assign(episode, { peakValue: value, peakMs: nowMs });
      if (!verdict.cleared) {
        delete state.clearingSince;
        return;
      }
      state.clearingSince ??= nowMs;
      if (nowMs - state.clearingSince < rule.clearForMs) return;
      Object.assign(episode, { endMs: nowMs, endReason: 'recovered' });
      closed.push(episode);
      delete state.episode;
      delete state.clearingSince;
      return;
    }
    if (!verdict.holds) {
      delete state.since;
      state.run = [];
      return;
    }
    state.since ??= nowMs;
    state.run = [...state.run, { timeMs: nowMs, value }].slice(-MAX_TRIGGER_VALUES);
    if (nowMs - state.since < rule.forMs) return;
    state.episode = this.open(rule, entity, value, verdict.reference, state, nowMs);
    opened.push(state.episode);
    delete state.since;
    state.run = [];
  }

  private open(rule: Rule, entity: string | undefined, value: number, reference: number, state: State, nowMs: number): Episode {
    const metric = METRICS[rule.metric];
    const where = entity === undefined ? '' : ` on ${entity}`;
    const condition =
      rule.type === 'threshold'
        ? `${format(value, metric.unit)} ${rule.comparison} ${format(rule.threshold, metric.unit)}${rule.forMs > 0 ? ` for ${rule.forMs / 1000} s` : ''}`
        : `rose to ${format(value, metric.unit)} from ${format(reference, metric.unit)} (+${format(value - reference, metric.unit)} in ${rule.windowMs / 1000} s)`;
    return {
      id: this.newId(),
      rule: rule.name,
      metric: rule.metric,
      ...(entity === undefined ? {} : { entity }),
      category: metric.category,
      severity: rule.severity,
      startMs: state.since ?? nowMs,
      endMs: null,
      ...peakOf(rule, state.run, { timeMs: nowMs, value }),
      lastValue: value,
      reference,
      message: rule.message ?? `${metric.label}${where} ${condition}`,
      triggerValues: state.run,
    };
  }

  // An entity that is gone (a disk unmounted, a sensor removed) ends its episodes.
  private closeVanished(rule: Rule, present: Set<string>, nowMs: number, closed: Episode[]): void {
    const prefix = `${rule.name}\u0000`;
    for (const [key, state] of this.states) {
      if (!key.startsWith(prefix) || present.has(key)) continue;
      if (state.episode) {
        Object.assign(state.episode, { endMs: nowMs, endReason: 'vanished' });
        closed.push(state.episode);
      }
      this.states.delete(key);
    }
  }
}
