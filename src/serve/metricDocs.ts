// The /metrics table of docs/API.md, generated from the metric table (run this file to print it), so
// the documented names cannot drift from the served ones.
import { DAEMON_METRICS, type Family, SNAPSHOT_METRICS } from './metricTable.ts';

function row<S>(family: Family<S>, from: string): string {
  const note = family.name.startsWith('node_') ? 'node_exporter' : 'hostguard';
  return `| \`${family.name}\` | ${family.type} | ${family.help.replaceAll('|', '\\|')} | ${from}, ${note} |`;
}

export function metricsMarkdown(): string {
  return [
    '| name | type | meaning | source |',
    '|---|---|---|---|',
    ...SNAPSHOT_METRICS.map((f) => row(f, 'snapshot')),
    ...DAEMON_METRICS.map((f) => row(f, 'daemon')),
  ].join('\n');
}

if (import.meta.main) process.stdout.write(`${metricsMarkdown()}\n`);
