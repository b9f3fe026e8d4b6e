// Prometheus text exposition (format 0.0.4) of the metric table: HELP, TYPE, then one line per series.
import type { Family, Labels } from './metricTable.ts';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length === 0 ? '' : `{${entries.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`;
}

function renderFamily<S>(family: Family<S>, source: S, lines: string[]): void {
  if (family.type === 'histogram') {
    const h = family.histogram(source);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} histogram`);
    let cumulative = 0;
    h.boundsSeconds.forEach((bound, index) => {
      cumulative += h.counts[index] ?? 0;
      lines.push(`${family.name}_bucket{le="${formatValue(bound)}"} ${cumulative}`);
    });
    lines.push(`${family.name}_bucket{le="+Inf"} ${h.count}`, `${family.name}_sum ${formatValue(h.sumSeconds)}`, `${family.name}_count ${h.count}`);
    return;
  }
  const samples = family.samples(source);
  if (samples.length === 0) return;
  lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
  // Two entities with the same labels (a filesystem mounted twice) would make the scrape invalid: first wins.
  const seen = new Set<string>();
  for (const sample of samples) {
    const labels = labelText(sample.labels);
    if (seen.has(labels)) continue;
    seen.add(labels);
    lines.push(`${family.name}${labels} ${formatValue(sample.value)}`);
  }
}

export function renderFamilies<S>(families: ReadonlyArray<Family<S>>, source: S): string {
  const lines: string[] = [];
  for (const family of families) renderFamily(family, source, lines);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
