// REST API v1 of a real `hostguard serve` process: answers, validation (400 naming the parameter),
// 404s, the OpenAPI document and docs/API.md covering every endpoint.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/collect/types.ts';
import { cleanUp, eventually, FAST_SAMPLING, getJson, type RunningDaemon, setMemAvailablePercent, startDaemon } from './serveDaemon.ts';

// One rule that the test trips by rewriting meminfo: used memory over 50 % opens it, under closes it.
const CONFIG = `${FAST_SAMPLING}
[collectors]
top_processes = 5
[anomaly]
default_rules = false
[[anomaly.rules]]
name = "test-memory"
metric = "memory_used_percent"
threshold = 50
severity = "warning"
`;

interface ErrorBody {
  error: { status: number; message: string; parameter?: string };
}

let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startDaemon({ config: CONFIG, fixtureProc: true });
  await eventually('the first snapshot', async () => ((await fetch(`${daemon.baseUrl}/api/v1/metrics/current`)).status === 200 ? true : undefined));
}, 60_000);
afterAll(cleanUp);

const get = (path: string, init?: RequestInit) => getJson(`${daemon.baseUrl}${path}`, init);

async function expectBadParameter(path: string, parameter: string, message: RegExp): Promise<void> {
  const { status, body } = await get(path);
  expect(status, path).toBe(400);
  expect((body as ErrorBody).error.parameter, path).toBe(parameter);
  expect((body as ErrorBody).error.message, path).toMatch(message);
}

describe('hostguard serve REST API', () => {
  it('says it is healthy, with its version and store', async () => {
    const { status, body } = await get('/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', version: '0.1.0', store: { kind: 'sqlite', ok: true }, sampler: { level: expect.any(String) } });
  });

  it('says why there are no I/O tops when tracing is off', async () => {
    const top = await get('/api/v1/io/top');
    expect(top.status).toBe(503);
    expect(top.body).toMatchObject({ error: { message: 'I/O tops need the tracer, which is off: [trace] mode = "off"' } });
    expect((await get('/api/v1/trace/status')).body).toEqual({ enabled: false, reason: '[trace] mode = "off"' });
  });

  it('serves the latest snapshot, and a newer one after the next tick', async () => {
    const first = (await get('/api/v1/metrics/current')).body as MetricsSnapshot;
    expect(first.system?.hostname).toBe('vm');
    expect(first.memory?.totalBytes).toBe(24_683_656 * 1024);
    const later = await eventually('a newer snapshot', async () => {
      const next = (await get('/api/v1/metrics/current')).body as MetricsSnapshot;
      return next.timestampMs > first.timestampMs ? next : undefined;
    });
    expect(later.intervalSeconds).toBeGreaterThan(0);
  });

  it('answers bad parameters with 400 naming the parameter and what it accepts', async () => {
    await expectBadParameter('/api/v1/metrics/history?start=-2x', 'start', /^start: '-2x' is not ISO 8601 .*"-1h"/);
    await expectBadParameter('/api/v1/metrics/history?start=-1h&end=-2h', 'start', /is not before end/);
    await expectBadParameter('/api/v1/metrics/history?fields=cpu_bussy_percent', 'fields', /unknown series 'cpu_bussy_percent'; series are cpu_busy_percent, /);
    await expectBadParameter('/api/v1/metrics/history?max_points=0', 'max_points', /'0' is not a whole number from 1 to 100000/);
    await expectBadParameter('/api/v1/metrics/history?step=soon', 'step', /'soon' is not a duration/);
    await expectBadParameter('/api/v1/metrics/history?strat=-1h', 'strat', /unknown parameter 'strat'; this endpoint takes start, end, step, fields, max_points, host/);
    await expectBadParameter('/api/v1/anomalies?severity=urgent', 'severity', /one of info, warning, critical/);
    await expectBadParameter('/api/v1/anomalies?limit=5&limit=6', 'limit', /given more than once/);
    await expectBadParameter('/api/v1/processes?sort=size', 'sort', /one of cpu, rss, io/);
    await expectBadParameter('/api/v1/monitoring/snapshots/recent?minutes=6000', 'minutes', /from 1 to 1440/);
    await expectBadParameter('/api/v1/metrics/current?pretty=1', 'pretty', /takes no parameters/);
  });

  it('answers 404 for an unknown anomaly or path, and 405 for anything but GET and HEAD', async () => {
    const anomaly = await get('/api/v1/anomalies/no-such-episode');
    expect(anomaly.status).toBe(404);
    expect((anomaly.body as ErrorBody).error.message).toBe("no anomaly with id 'no-such-episode'");
    expect((await get('/api/v2/metrics')).status).toBe(404);
    const post = await get('/api/v1/metrics/current', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${daemon.baseUrl}/api/v1/metrics/current`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
  });

  it('records an anomaly episode when it opens, worsens and closes, and serves it by id', async () => {
    setMemAvailablePercent(daemon.dir, 10);
    const opened = await eventually('an open episode', async () => {
      const list = (await get('/api/v1/anomalies?severity=warning&category=memory')).body as { anomalies: Array<{ id: string; endMs: number | null; rule: string }> };
      return list.anomalies.find((e) => e.rule === 'test-memory' && e.endMs === null);
    });
    // worse while open: the stored episode follows its peak
    setMemAvailablePercent(daemon.dir, 4);
    await eventually('the open episode at its new peak', async () => {
      const body = (await get(`/api/v1/anomalies/${opened.id}`)).body as { peakValue: number; endMs: number | null };
      return body.endMs === null && body.peakValue > 95 ? true : undefined;
    });
    setMemAvailablePercent(daemon.dir, 95);
    const closed = await eventually('the episode closed', async () => {
      const { status, body } = await get(`/api/v1/anomalies/${opened.id}`);
      return status === 200 && (body as { endMs: number | null }).endMs !== null ? (body as { peakValue: number; endReason: string; hostId: string }) : undefined;
    });
    expect(closed.peakValue).toBeCloseTo(96, 0);
    expect(closed.endReason).toBe('recovered');
    expect((await get('/api/v1/anomalies?severity=critical')).body).toMatchObject({ count: 0, anomalies: [] });
  });

  it('serves history from the store at a step that keeps within max_points, and the recent raw snapshots', async () => {
    type History = { tier: string; stepMs: number; series: Record<string, Array<{ timeMs: number; avg: number; min: number; max: number }>> };
    // the store's finest step is 1 s: wait for four of them
    const history = await eventually('four points of history', async () => {
      const body = (await get('/api/v1/metrics/history?start=-1m&fields=memory_used_percent')).body as History;
      return (body.series['memory_used_percent'] ?? []).length >= 4 ? body : undefined;
    });
    expect(history.tier).toBe('raw');
    const points = history.series['memory_used_percent'] ?? [];
    expect(points.every((p) => p.min <= p.avg && p.avg <= p.max && p.max <= 100)).toBe(true);
    const coarse = (await get('/api/v1/metrics/history?start=-1m&fields=memory_used_percent&max_points=2')).body as History;
    expect((coarse.series['memory_used_percent'] ?? []).length).toBeLessThanOrEqual(2);
    expect(coarse.stepMs).toBeGreaterThanOrEqual(30_000);
    const recent = (await get('/api/v1/monitoring/snapshots/recent?minutes=1')).body as { count: number; snapshots: MetricsSnapshot[] };
    expect(recent.count).toBe(recent.snapshots.length);
    expect(recent.count).toBeGreaterThan(3);
    expect(recent.snapshots.every((s, i) => i === 0 || s.timestampMs > (recent.snapshots[i - 1]?.timestampMs ?? 0))).toBe(true);
  });

  it('lists processes by the order asked for, system info, hosts and its own status', async () => {
    const processes = (await get('/api/v1/processes?sort=rss&limit=2')).body as { sort: string; processes: Array<{ rssBytes: number }> };
    expect(processes.sort).toBe('rss');
    expect(processes.processes).toHaveLength(2);
    expect(processes.processes[0]?.rssBytes).toBeGreaterThanOrEqual(processes.processes[1]?.rssBytes ?? 0);
    expect((await get('/api/v1/system/info')).body).toMatchObject({ system: { hostname: 'vm', osId: 'debian' }, collectors: expect.arrayContaining(['cpu', 'memory']) });
    const hosts = (await get('/api/v1/hosts')).body as { self: string; hosts: Array<{ hostId: string }> };
    expect(hosts.hosts.map((h) => h.hostId)).toContain(hosts.self);
    const status = (await get('/api/v1/monitoring/status')).body as { sampler: { level: string; intervalSeconds: number; collections: number }; store: { sizeBytes: number | null } };
    expect(status.sampler.intervalSeconds).toBe(0.2);
    expect(status.sampler.collections).toBeGreaterThan(3);
  });

  it('publishes an OpenAPI document naming every endpoint and parameter, all of them in docs/API.md', async () => {
    const { status, body } = await get('/api/v1/openapi.json');
    expect(status).toBe(200);
    const document = body as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> };
    expect(document.openapi).toBe('3.1.0');
    const paths = Object.keys(document.paths).sort();
    expect(paths).toEqual([
      '/api/v1/alerts',
      '/api/v1/alerts/active',
      '/api/v1/alerts/channels',
      '/api/v1/alerts/test',
      '/api/v1/alerts/{id}',
      '/api/v1/alerts/{id}/ack',
      '/api/v1/anomalies',
      '/api/v1/anomalies/{id}',
      '/api/v1/events',
      '/api/v1/hosts',
      '/api/v1/io/top',
      '/api/v1/metrics/current',
      '/api/v1/metrics/history',
      '/api/v1/monitoring/snapshots/recent',
      '/api/v1/monitoring/status',
      '/api/v1/openapi.json',
      '/api/v1/processes',
      '/api/v1/system/info',
      '/api/v1/trace/status',
      '/health',
      '/metrics',
      '/ws',
    ]);
    expect(document.paths['/api/v1/metrics/history']?.['get']?.parameters?.map((p) => p.name)).toEqual(['start', 'end', 'step', 'fields', 'max_points', 'host']);
    const guide = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
    for (const path of paths) {
      for (const method of Object.keys(document.paths[path] ?? {})) expect(guide, `docs/API.md documents ${method.toUpperCase()} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
    }
  });
});
