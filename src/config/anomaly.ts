// [anomaly]: the anomaly rules, validated against the metric table; the built-in rules come from the seeds.
import { z } from 'zod';
import { METRIC_NAMES, METRICS, type MetricName, UNIT_RANGES, isMetricName } from '../detect/metrics.ts';
import type { Rule } from '../detect/rules.ts';
import { durationSchema } from './duration.ts';

const commonFields = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _').describe('unique name; a rule named like a built-in one replaces it'),
  enabled: z.boolean().default(true).describe('false drops the rule (a built-in one included)'),
  metric: z.string().describe(`what to watch: ${METRIC_NAMES.join(', ')}`),
  severity: z.enum(['info', 'warning', 'critical']).describe('info, warning or critical'),
  for: durationSchema('how long the condition must hold before an episode opens').prefault('0s'),
  clear_for: durationSchema('how long it must be gone before the episode closes').prefault('0s'),
  hysteresis: z.number().min(0).default(0).describe('how far back past the threshold (in the metric unit) the value must come to close the episode'),
  message: z.string().optional().describe('episode message instead of the generated one'),
};

const thresholdRule = z.strictObject({
  ...commonFields,
  type: z.literal('threshold').default('threshold').describe('threshold (default) or spike'),
  comparison: z.enum(['>', '>=', '<', '<=']).default('>').describe('how the value compares with threshold'),
  threshold: z.number().describe('in the unit of the metric (percent 0-100, degrees C, bytes, count)'),
});

const spikeRule = z.strictObject({
  ...commonFields,
  type: z.literal('spike'),
  increase: z.number().gt(0).describe('rise above the mean of the previous window that opens an episode'),
  window: durationSchema('the previous window the value is compared with').prefault('60s'),
});

export const ruleSchema = z
  .union([thresholdRule, spikeRule])
  .superRefine((rule, context) => {
    if (!isMetricName(rule.metric)) {
      context.addIssue({ code: 'custom', path: ['metric'], message: `unknown metric '${rule.metric}'; known metrics: ${METRIC_NAMES.join(', ')}` });
      return;
    }
    const range = UNIT_RANGES[METRICS[rule.metric].unit];
    const value = rule.type === 'spike' ? rule.increase : rule.threshold;
    if (!Number.isFinite(value) || value < (rule.type === 'spike' ? 0 : range.min) || value > range.max) {
      context.addIssue({ code: 'custom', path: [rule.type === 'spike' ? 'increase' : 'threshold'], message: `${value} is not ${range.text} (the unit of ${rule.metric})` });
    }
  })
  .transform((rule): Rule & { enabled: boolean } => {
    const base = { name: rule.name, enabled: rule.enabled, metric: rule.metric as MetricName, severity: rule.severity, forMs: rule.for, clearForMs: rule.clear_for, hysteresis: rule.hysteresis, ...(rule.message === undefined ? {} : { message: rule.message }) };
    return rule.type === 'spike' ? { ...base, type: 'spike', increase: rule.increase, windowMs: rule.window } : { ...base, type: 'threshold', comparison: rule.comparison, threshold: rule.threshold };
  });

export type RuleInput = z.input<typeof ruleSchema>;

// From the seeds: CPU critical 90 %, spike +40 points; memory critical 95 %, spike +20 points;
// temperature 85 C; disk 90 %; any USB timeout; warnings at CPU 70 %, memory 75 %, disk 80 %.
export const DEFAULT_RULES: RuleInput[] = [
  { name: 'cpu-warning', metric: 'cpu_busy_percent', threshold: 70, for: '1m', hysteresis: 5, severity: 'warning' },
  { name: 'cpu-critical', metric: 'cpu_busy_percent', threshold: 90, for: '30s', hysteresis: 5, severity: 'critical' },
  { name: 'cpu-spike', type: 'spike', metric: 'cpu_busy_percent', increase: 40, window: '1m', severity: 'warning' },
  { name: 'memory-warning', metric: 'memory_used_percent', threshold: 75, for: '1m', hysteresis: 3, severity: 'warning' },
  { name: 'memory-critical', metric: 'memory_used_percent', threshold: 95, for: '10s', hysteresis: 2, severity: 'critical' },
  { name: 'memory-spike', type: 'spike', metric: 'memory_used_percent', increase: 20, window: '1m', severity: 'warning' },
  { name: 'temperature-critical', metric: 'temperature_celsius', threshold: 85, for: '10s', hysteresis: 5, severity: 'critical' },
  { name: 'disk-warning', metric: 'disk_used_percent', threshold: 80, hysteresis: 2, severity: 'warning' },
  { name: 'disk-critical', metric: 'disk_used_percent', threshold: 90, hysteresis: 2, severity: 'critical' },
  // Timeouts within 5 minutes of each other are one episode.
  { name: 'usb-timeout', metric: 'usb_timeouts_count', threshold: 0, clear_for: '5m', severity: 'critical' },
];

export const anomalySchema = z
  .strictObject({
    default_rules: z.boolean().default(true).describe('include the built-in rules (CPU, memory, temperature, disk, USB) besides those below'),
    rules: z.array(ruleSchema).default([]).describe('rules of your own, as [[anomaly.rules]] tables'),
  })
  .superRefine((section, context) => {
    const seen = new Set<string>();
    section.rules.forEach((rule, index) => {
      if (seen.has(rule.name)) context.addIssue({ code: 'custom', path: ['rules', index, 'name'], message: `'${rule.name}' names two rules` });
      seen.add(rule.name);
    });
  })
  .transform((section): Rule[] => {
    const builtIn = section.default_rules ? DEFAULT_RULES.map((input) => ruleSchema.parse(input)) : [];
    const own = new Map(section.rules.map((rule) => [rule.name, rule]));
    const merged = [...builtIn.map((rule) => own.get(rule.name) ?? rule), ...section.rules.filter((rule) => !builtIn.some((b) => b.name === rule.name))];
    return merged.filter((rule) => rule.enabled).map(({ enabled: _enabled, ...rule }) => rule);
  });
