// The daemon's own series through prom-client: the hostguard_* families of the metric table, read
// from DaemonStatus at each scrape (collect()), and prom-client's default process_* and nodejs_*
// collectors (CPU, memory, open files, event loop lag, heap, GC), rendered at most once a second
// (they cost about 0.7 ms a render, 7 times the hostguard_* series; see docs/API.md).
import { collectDefaultMetrics, Counter, Gauge, Histogram as PromHistogram, Registry } from 'prom-client';
import { formatValue } from './exposition.ts';
import { DAEMON_METRICS, type Family } from './metricTable.ts';
import type { DaemonStatus, Histogram } from './status.ts';

interface BucketValue {
  metricName: string;
  labels: Record<string, string>;
  sharedLabels: Record<string, string>;
  value: number;
}

// prom-client's histograms are fed by observe(); ours are kept by DaemonStatus (the JSON status reads
// them too), so this one reports those counts instead of keeping a second copy. The registry renders a
// histogram from getForPromString() (get() goes through it as well): prom-client 15's own method,
// which its type declarations leave out; serveMetrics.test.ts and exposition.test.ts check the output.
class StatusHistogram extends PromHistogram {
  private readonly read: () => Histogram;
  private readonly metricName: string;
  private readonly helpText: string;

  constructor(name: string, help: string, read: () => Histogram) {
    super({ name, help, buckets: [...read().boundsSeconds], registers: [] });
    this.read = read;
    this.metricName = name;
    this.helpText = help;
  }

  async getForPromString(): Promise<{ name: string; help: string; type: string; values: BucketValue[]; aggregator: string }> {
    const h = this.read();
    const name = this.metricName;
    const value = (metricName: string, labels: Record<string, string>, v: number): BucketValue => ({ metricName, labels, sharedLabels: {}, value: v });
    let cumulative = 0;
    const values = h.boundsSeconds.map((bound, index) => {
      cumulative += h.counts[index] ?? 0;
      return value(`${name}_bucket`, { le: formatValue(bound) }, cumulative);
    });
    values.push(value(`${name}_bucket`, { le: '+Inf' }, h.count), value(`${name}_sum`, {}, h.sumSeconds), value(`${name}_count`, {}, h.count));
    return { name, help: this.helpText, type: 'histogram', values, aggregator: 'sum' };
  }
}

function register(registry: Registry, family: Family<DaemonStatus>, status: DaemonStatus): void {
  if (family.type === 'histogram') {
    registry.registerMetric(new StatusHistogram(family.name, family.help, () => family.histogram(status)));
    return;
  }
  const { name, help, samples } = family;
  const labelNames = [...(family.labels ?? [])];
  if (family.type === 'gauge') {
    new Gauge({ name, help, labelNames, registers: [registry], collect() {
      this.reset();
      for (const sample of samples(status)) this.set(sample.labels ?? {}, sample.value);
    } });
    return;
  }
  // A counter kept elsewhere: prom-client counters only go up by inc(), so each scrape starts from 0.
  new Counter({ name, help, labelNames, registers: [registry], collect() {
    this.reset();
    for (const sample of samples(status)) this.inc(sample.labels ?? {}, sample.value);
  } });
}

// The hostguard_* families of the table, read from status at each scrape.
export function daemonRegistry(status: DaemonStatus): Registry {
  const registry = new Registry();
  for (const family of DAEMON_METRICS) register(registry, family, status);
  return registry;
}

// prom-client's process_* and nodejs_* series of this process.
export function runtimeRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named *_total, which Prometheus reserves for counters (promtool's lint objects); the
  // same counts are in nodejs_active_resources, nodejs_active_handles and nodejs_active_requests by type.
  for (const name of ['nodejs_active_resources_total', 'nodejs_active_handles_total', 'nodejs_active_requests_total']) registry.removeSingleMetric(name);
  return registry;
}

// Renders a registry at most once per maxAgeMs; scrapes meanwhile (and while it renders) share it.
export class CachedExposition {
  private readonly registry: Registry;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private cached: { atMs: number; body: Promise<Buffer> } | undefined;

  constructor(registry: Registry, maxAgeMs: number, now: () => number = () => performance.now()) {
    this.registry = registry;
    this.maxAgeMs = maxAgeMs;
    this.now = now;
  }

  body(): Promise<Buffer> {
    const nowMs = this.now();
    if (this.cached && nowMs - this.cached.atMs < this.maxAgeMs) return this.cached.body;
    const body = this.registry.metrics().then((text) => Buffer.from(text));
    this.cached = { atMs: nowMs, body };
    // A failed render is not kept.
    body.catch(() => {
      if (this.cached?.body === body) this.cached = undefined;
    });
    return body;
  }
}
