// The daemon's events and alerts end to end: a real guard killing a real hog in a test cgroup
// (its --events-file followed by a real `hostguard serve`), the daemon's own eBPF tracer seeing
// exits, kernel OOM kills and file writes, all checked through the REST API and the WebSocket.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestCgroup, exited, memoryCgroupSupport } from '../helpers/cgroup.ts';
import { GuardedCgroup, HOG } from '../helpers/guardProcess.ts';
import { cleanUp, eventually, FAST_SAMPLING, getJson, type RunningDaemon, startDaemon } from './serveDaemon.ts';

const MiB = 1024 * 1024;
const support = memoryCgroupSupport();
const isRoot = process.geteuid?.() === 0;
const hasBpftrace = spawnSync('bpftrace', ['--version']).status === 0;
const reason = !support.ok ? support.reason : !isRoot ? 'needs root' : !hasBpftrace ? 'bpftrace is not installed (apt-get install bpftrace)' : undefined;
if (reason) console.warn(`skipping the daemon events tests: ${reason}`);

interface AlertBody {
  id: string;
  type: string;
  severity: string;
  state: string;
  timeMs: number;
  context: Record<string, unknown>;
  deliveries: Array<{ channel: string; status: string; event: string }>;
}
interface EventBody {
  id: string;
  type: string;
  pid?: number;
  comm?: string;
  timeMs: number;
  message: string;
  data: Record<string, unknown>;
}
interface Message {
  type: string;
  event?: string;
  receivedMs: number;
  data: AlertBody & EventBody;
}

describe.skipIf(reason !== undefined)('hostguard serve: host events and alerts', () => {
  let daemon: RunningDaemon;
  let guardFile: string;
  let alertDir: string;
  let ws: WebSocket;
  const messages: Message[] = [];
  let scope: GuardedCgroup | undefined;
  let cgroup: TestCgroup | undefined;

  beforeAll(async () => {
    const { tempDir } = await import('./serveDaemon.ts');
    const dir = tempDir();
    guardFile = join(dir, 'guard-events.jsonl');
    alertDir = join(dir, 'alerts');
    daemon = await startDaemon({
      config: `${FAST_SAMPLING}\n[events]\nguard_file = "${guardFile}"\nmax_per_minute = 1000000\n\n[trace]\nmode = "ebpf"\nio_files = true\n\n[alerts.json_files]\ndirectory = "${alertDir}"\n`,
    });
    await eventually('the tracer to be live', async () => {
      const status = (await getJson(`${daemon.baseUrl}/api/v1/trace/status`)).body as { enabled: boolean; state?: string };
      return status.enabled && status.state === 'live' ? true : undefined;
    }, 60_000);
    ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/ws`);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Omit<Message, 'receivedMs'>;
      if (message.type === 'alert' || message.type === 'event') messages.push({ ...message, receivedMs: Date.now() });
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ subscribe: ['alerts', 'events'] }));
  }, 90_000);

  afterEach(async () => {
    await scope?.stop();
    scope = undefined;
    await cgroup?.destroy();
    cgroup = undefined;
  });

  afterAll(async () => {
    ws?.terminate();
    await cleanUp();
  });

  const api = async <T>(path: string): Promise<T> => {
    const { status, body } = await getJson(`${daemon.baseUrl}${path}`);
    expect(status, JSON.stringify(body)).toBe(200);
    return body as T;
  };

  it('raises PROCESS_KILLED within 1 s of the guard killing a hog, stores and delivers it, and resolves it when the hog is gone', async () => {
    scope = await GuardedCgroup.start(512 * MiB, ['--events-file', guardFile]);
    const hog = scope.hog(['--total-mib', '1024', '--rate-mib-s', '1024', '--title', 'hg-hog']);
    expect((await exited(hog)).signal).toMatch(/SIGTERM|SIGKILL/);
    const strike = await scope.guard.waitFor((e) => e.type === 'term' || e.type === 'kill');
    const victimPid = (strike.victim as { pid: number }).pid;
    expect(victimPid).toBe(hog.pid);
    const fired = await eventually('PROCESS_KILLED on /ws', async () => messages.find((m) => m.type === 'alert' && m.event === 'fired' && m.data.type === 'PROCESS_KILLED' && m.data.context['pid'] === victimPid));
    const latencyMs = fired.receivedMs - Date.parse(strike.time);
    console.log(`guard kill -> alert on /ws: ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(1000);
    expect(fired.data.severity).toBe('critical');

    const stored = await eventually('the alert stored with its JSON-file delivery', async () => {
      const { status, body } = await getJson(`${daemon.baseUrl}/api/v1/alerts/${fired.data.id}`);
      const alert = body as AlertBody;
      return status === 200 && alert.deliveries.some((d) => d.channel === 'json-files' && d.status === 'sent') ? alert : undefined;
    });
    expect(stored.type).toBe('PROCESS_KILLED');
    expect(readdirSync(alertDir).some((f) => f.includes('PROCESS_KILLED'))).toBe(true);
    await eventually('the alert resolved after the victim exited', async () => {
      const { status, body } = await getJson(`${daemon.baseUrl}/api/v1/alerts/${fired.data.id}`);
      return status === 200 && (body as AlertBody).state === 'resolved' ? true : undefined;
    });
    const listed = await api<{ alerts: AlertBody[] }>('/api/v1/alerts?type=PROCESS_KILLED&limit=5');
    expect(listed.alerts.map((a) => a.id)).toContain(fired.data.id);
    // a resolved alert cannot be acknowledged any more
    const late = await getJson(`${daemon.baseUrl}/api/v1/alerts/${fired.data.id}/ack`, { method: 'POST' });
    expect(late.status).toBe(409);
    const channels = await api<{ channels: Array<{ channel: string; last: { status: string } | null }> }>('/api/v1/alerts/channels');
    expect(channels.channels).toEqual([{ channel: 'json-files', last: expect.objectContaining({ status: 'sent' }) }]);

    const signals = await eventually('the guard_signal event in history', async () => {
      const body = await api<{ events: EventBody[] }>(`/api/v1/events?type=guard_signal&pid=${victimPid}`);
      return body.events.length >= 2 ? body.events : undefined;
    });
    const lines = signals.map((e) => e.message).join('\n');
    expect(lines).toMatch(/^sent SIG(TERM|KILL) to hg-hog/m);
    expect(lines).toMatch(/^hg-hog \(pid \d+\) exited \d+ ms after SIG(TERM|KILL)$/m);
  }, 60_000);

  it('acknowledges a firing alert through the API, tells /ws, and sends a test alert through every channel', async () => {
    // a kernel OOM kill in a small cgroup fires an OOM_KILL alert that nothing resolves
    cgroup = TestCgroup.create('hg-serve-ack', 64 * MiB);
    const hog = cgroup.spawnInside(process.execPath, [HOG, '--total-mib', '256', '--rate-mib-s', '1024']);
    await exited(hog);
    const fired = await eventually('an OOM_KILL alert', async () => messages.find((m) => m.type === 'alert' && m.data.type === 'OOM_KILL' && m.data.context['pid'] === hog.pid));
    const active = await api<{ alerts: AlertBody[] }>('/api/v1/alerts/active');
    expect(active.alerts.map((a) => a.id)).toContain(fired.data.id);
    const ack = await getJson(`${daemon.baseUrl}/api/v1/alerts/${fired.data.id}/ack`, { method: 'POST' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: fired.data.id, state: 'acknowledged' });
    await eventually('the acknowledgement on /ws', async () => messages.find((m) => m.type === 'alert' && m.event === 'acknowledged' && m.data.id === fired.data.id));
    await eventually('the acknowledgement stored', async () => {
      const { status, body } = await getJson(`${daemon.baseUrl}/api/v1/alerts/${fired.data.id}`);
      return status === 200 && (body as AlertBody).state === 'acknowledged' ? true : undefined;
    });
    expect((await getJson(`${daemon.baseUrl}/api/v1/alerts/no-such-alert/ack`, { method: 'POST' })).status).toBe(404);
    const test = await getJson(`${daemon.baseUrl}/api/v1/alerts/test`, { method: 'POST' });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ count: 1, results: [{ channel: 'json-files', status: 'sent' }] });
    expect(readdirSync(alertDir).some((f) => f.includes('TEST'))).toBe(true);
    // the test alert is also on /ws (which needs no channel)
    await eventually('the test alert on /ws', async () => messages.find((m) => m.type === 'alert' && m.data.type === 'TEST'));
  }, 60_000);

  it("records a process's exit code from the tracer, and serves it filtered by pid and type", async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 0.2; exit 3']);
    await exited(child);
    const exit = await eventually('the exit event', async () => (await api<{ events: EventBody[] }>(`/api/v1/events?type=exit&pid=${child.pid}`)).events[0]);
    expect(exit.data['exitCode']).toBe(3);
    expect(exit.message).toMatch(/exited with code 3/);
    const exec = await api<{ events: EventBody[] }>(`/api/v1/events?type=exec,exit&pid=${child.pid}`);
    expect(exec.events.map((e) => e.type).sort()).toEqual(['exec', 'exit']);
    const bad = await getJson(`${daemon.baseUrl}/api/v1/events?type=exec,nope`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { parameter: 'type' } });
  }, 30_000);

  it('reports a kernel OOM kill in a 64 MiB cgroup as an oom_victim event and a critical OOM_KILL alert', async () => {
    cgroup = TestCgroup.create('hg-serve-oom', 64 * MiB);
    const hog = cgroup.spawnInside(process.execPath, [HOG, '--total-mib', '256', '--rate-mib-s', '1024', '--title', 'hg-oom-victim']);
    const result = await exited(hog);
    expect(result.signal).toBe('SIGKILL');
    const event = await eventually('the oom_victim event', async () => (await api<{ events: EventBody[] }>('/api/v1/events?type=oom_victim&limit=20')).events.find((e) => e.pid === hog.pid));
    expect(event.message).toMatch(/OOM killer killed/);
    const alert = await eventually('OOM_KILL on /ws', async () => messages.find((m) => m.type === 'alert' && m.data.type === 'OOM_KILL' && m.data.context['pid'] === event.pid));
    expect(alert.data.severity).toBe('critical');
  }, 60_000);

  it('credits the bytes a process writes to it and to its file in /api/v1/io/top', async () => {
    const file = join(daemon.dir, 'written.bin');
    const dd = spawn('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=20', 'conv=fsync']);
    await exited(dd);
    expect(existsSync(file)).toBe(true);
    const row = await eventually('dd in the I/O top', async () => {
      const top = await api<{ rows: Array<{ pid: number; comm?: string; writtenBytes: number }> }>('/api/v1/io/top?by=process&window=60s');
      return top.rows.find((r) => r.pid === dd.pid && r.writtenBytes >= 20 * MiB);
    });
    expect(row.writtenBytes).toBeLessThan(21 * MiB);
    const byFile = await api<{ rows: Array<{ pid: number; file?: string; writtenBytes: number }> }>('/api/v1/io/top?by=file&window=60s&limit=1000');
    const ddFiles = byFile.rows.filter((r) => r.pid === dd.pid);
    expect(ddFiles.find((r) => r.file?.endsWith('written.bin'))?.writtenBytes, JSON.stringify(ddFiles)).toBeGreaterThanOrEqual(20 * MiB);
  }, 30_000);

  // Last: the daemon with a live tracer still stops within 2 s, and its bpftrace is gone soon after
  // (the kernel needs about 2 s to detach the probes; the daemon does not wait for that).
  it('counts alerts, events, kernel OOM kills and the tracer in /metrics', async () => {
    const text = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    expect(value('hostguard_alerts_total{type="PROCESS_KILLED",severity="critical"}')).toBeGreaterThanOrEqual(1);
    expect(value('hostguard_alerts_total{type="OOM_KILL",severity="critical"}')).toBeGreaterThanOrEqual(2);
    expect(value('hostguard_oom_kills_total')).toBeGreaterThanOrEqual(2);
    expect(value('hostguard_trace_up{mode="ebpf"}')).toBe(1);
    expect(value('hostguard_events_total{type="exit"}')).toBeGreaterThanOrEqual(1);
    expect(value('hostguard_alert_deliveries_total{channel="json-files",status="sent"}')).toBeGreaterThanOrEqual(2);
    expect(value('hostguard_memory_level')).toBe(0);
  });

  it('stops on SIGTERM within 2 s with the tracer running, leaving no bpftrace behind', async () => {
    const status = await api<{ bpftracePid?: number }>('/api/v1/trace/status');
    const bpftracePid = status.bpftracePid ?? 0;
    expect(bpftracePid).toBeGreaterThan(0);
    ws.terminate();
    const sentAt = performance.now();
    process.kill(daemon.pid, 'SIGTERM');
    const exit = await daemon.exited();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(performance.now() - sentAt).toBeLessThan(2000);
    const gone = await eventually('bpftrace to exit', async () => (isAlive(bpftracePid) ? undefined : true), 10_000);
    expect(gone).toBe(true);
  }, 30_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
