import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Snapshotter } from '../collect/snapshotter.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import { readProcStat } from '../sys/readHost.ts';
import { renderFamilies } from './exposition.ts';
import { metricsMarkdown } from './metricDocs.ts';
import { METRIC_NAMES, SNAPSHOT_METRICS, type SnapshotSource } from './metricTable.ts';
import { daemonRegistry } from './promDaemon.ts';
import { newDaemonStatus } from './status.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
const promtool = spawnSync('promtool', ['--version']).status === 0;

function fixtureSnapshot(): MetricsSnapshot {
  const snapshotter = new Snapshotter({ procRoot: fixture('collect-proc'), sysRoot: fixture('collect-sys'), etcRoot: fixture('collect-etc'), kmsgPath: fixture('collect-kmsg/usb-events.txt') });
  try {
    return snapshotter.collect();
  } finally {
    snapshotter.close();
  }
}

function daemonStatus(): ReturnType<typeof newDaemonStatus> {
  const status = newDaemonStatus({ version: '0.1.0', startTimeMs: 1_700_000_000_000, hostId: 'vm', level: 'normal', intervalMs: 5000, storeKind: 'sqlite', collectors: ['cpu', 'memory'] });
  status.sampler.collectionDuration.observe(0.004);
  status.sampler.collectionDuration.observe(0.2);
  status.httpRequestsTotal.set('/api/v1/metrics/current 200', 3);
  return status;
}

// As /metrics: the snapshot part from the table, the daemon's through prom-client (its process_* and
// nodejs_* collectors included when asked).
async function render(source: SnapshotSource, defaultCollectors = false): Promise<string> {
  return renderFamilies(SNAPSHOT_METRICS, source) + (await daemonRegistry(daemonStatus(), { defaultCollectors }).metrics());
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// promtool parses the text (exit 1 if it cannot) and lints it (exit 3 with one line per problem).
// Its lint objects to node_exporter's own camelCase memory names (node_exporter 1.5's output gets the
// same lines); those names are kept because dashboards and alerts use them. Anything else is a problem.
function promtoolCheck(text: string): { parsed: boolean; problems: string[] } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line !== '');
  const problems = lines.filter((line) => !/^node_memory_[A-Za-z]+_bytes metric names should be written in 'snake_case' not 'camelCase'$/.test(line));
  return { parsed: result.status === 0 || result.status === 3, problems };
}

describe('the /metrics exposition', () => {
  it('carries node_exporter names with the snapshot values, in base units', async () => {
    const snapshot = fixtureSnapshot();
    const stat = readProcStat(fixture('collect-proc'), 100);
    if (!stat.ok) throw new Error(stat.error);
    const text = await render({ snapshot, cpuSeconds: stat.value.perCpu.flatMap((times, cpu) => (times ? [{ cpu, times }] : [])) });
    expect(value(text, 'node_memory_MemAvailable_bytes')).toBe(snapshot.memory?.availableBytes);
    expect(value(text, 'node_memory_MemTotal_bytes')).toBe(snapshot.memory?.totalBytes);
    expect(value(text, 'node_load1')).toBe(snapshot.cpu?.load1);
    expect(value(text, 'node_cpu_seconds_total{cpu="0",mode="idle"}')).toBe(stat.value.perCpu[0]?.idleSeconds);
    const root = snapshot.disks?.filesystems.find((f) => f.mountPoint === '/');
    expect(root).toBeDefined();
    expect(value(text, `node_filesystem_avail_bytes{device="${root?.device}",fstype="${root?.fsType}",mountpoint="/"}`)).toBe(root?.availableBytes);
    const nic = snapshot.network?.interfaces[0];
    expect(value(text, `node_network_receive_bytes_total{device="${nic?.name}"}`)).toBe(nic?.receive.bytes);
    expect(text).toContain('# TYPE node_cpu_seconds_total counter\n');
    expect(text).toContain('hostguard_sampler_level{level="normal"} 1\n');
    expect(text).toContain('hostguard_collection_duration_seconds_bucket{le="0.005"} 1\nhostguard_collection_duration_seconds_bucket{le="0.01"} 1\n');
    expect(value(text, 'hostguard_collection_duration_seconds_count')).toBe(2);
    expect(value(text, 'hostguard_http_requests_total{route="/api/v1/metrics/current",code="200"}')).toBe(3);
  });

  it('escapes hostile label values and writes each label set once', () => {
    const snapshot: MetricsSnapshot = {
      timestamp: '2025-01-01T00:00:00.000Z',
      timestampMs: 0,
      intervalSeconds: 1,
      disks: {
        devices: [],
        filesystems: [1, 2].map(() => ({ mountPoint: '/mnt/a "b"\\c\nd', device: '/dev/x', fsType: 'ext4', totalBytes: 10, usedBytes: 4, availableBytes: 5, usedPercent: 44, inodesTotal: 1, inodesUsed: 0, inodesFree: 1 })),
      },
    };
    const text = renderFamilies(SNAPSHOT_METRICS, { snapshot });
    expect(text).toContain('node_filesystem_free_bytes{device="/dev/x",fstype="ext4",mountpoint="/mnt/a \\"b\\"\\\\c\\nd"} 6\n');
    expect(text.match(/^node_filesystem_size_bytes\{/gm)).toHaveLength(1);
    if (promtool) expect(promtoolCheck(text)).toEqual({ parsed: true, problems: [] });
  });

  it('has one name per series family, each following <namespace>_<name>_<unit>', () => {
    expect(new Set(METRIC_NAMES).size).toBe(METRIC_NAMES.length);
    for (const name of METRIC_NAMES) expect(name).toMatch(/^(node|hostguard)_[a-zA-Z0-9_]+$/);
  });

  it('is documented in docs/API.md by the table generated from it (regenerate: node src/serve/metricDocs.ts)', () => {
    const guide = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
    const block = /<!-- metrics:begin -->\n([\s\S]*)<!-- metrics:end -->/.exec(guide)?.[1];
    expect(block).toBe(`${metricsMarkdown()}\n`);
  });

  it.skipIf(!promtool)('passes promtool check metrics for the fixture host and for this host (Debian package prometheus)', async () => {
    expect(promtoolCheck(await render({ snapshot: fixtureSnapshot() }))).toEqual({ parsed: true, problems: [] });
    const snapshotter = new Snapshotter({});
    try {
      snapshotter.collect();
      const text = await render({ snapshot: snapshotter.collect() }, true);
      expect(text).toContain('# TYPE process_cpu_seconds_total counter\n');
      expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge\n');
      expect(promtoolCheck(text)).toEqual({ parsed: true, problems: [] });
      // and a broken line is caught, so the check above can fail
      expect(promtoolCheck('node_load1{ 1\n').parsed).toBe(false);
    } finally {
      snapshotter.close();
    }
  });
});
