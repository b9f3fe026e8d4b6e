// The App rendered by Ink (ink-testing-library) from real snapshots of this machine's collectors.
import { type ChildProcess, spawn } from 'node:child_process';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../alert/model.ts';
import { Snapshotter } from '../../collect/snapshotter.ts';
import type { MetricsSnapshot, ProcessInfo } from '../../collect/types.ts';
import { anomalySchema } from '../../config/anomaly.ts';
import { AnomalyDetector } from '../../detect/detector.ts';
import type { HostEvent } from '../../events/model.ts';
import { initialData, type ViewData, withAlert, withEpisode, withEvent, withSnapshot } from '../model.ts';
import { renderOnce } from '../once.ts';
import { App } from './App.ts';

const NOW = 1_800_000_000_000;
let snapshot: MetricsSnapshot;
const mounted: Array<{ unmount: () => void }> = [];
afterEach(() => {
  for (const app of mounted.splice(0)) app.unmount();
});

// On a quiet machine (a fresh CI box) the process lists are short; 40 sleeps of this test make
// the table longer than any screen here.
const sleeps: ChildProcess[] = [];
afterAll(() => {
  for (const child of sleeps.splice(0)) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
});

beforeAll(async () => {
  for (let i = 0; i < 40; i++) sleeps.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  // Two reads of the real /proc and /sys, so rates and CPU percentages are there.
  const snapshotter = new Snapshotter({ topProcesses: 1000, enabled: { usb: false } });
  try {
    snapshotter.collect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    snapshot = snapshotter.collect();
  } finally {
    snapshotter.close();
  }
});

function liveData(change: (s: MetricsSnapshot) => MetricsSnapshot = (s) => s): ViewData {
  const data = withSnapshot(initialData('http://127.0.0.1:8080', NOW, { alerts: true, events: true }), change(structuredClone(snapshot)), NOW);
  return { ...data, connection: { state: 'live' } };
}

function mount(data: ViewData, columns = 80, rows = 24, signals: Array<[number, string]> = []): ReturnType<typeof render> {
  const onSignal = (process: ProcessInfo, signal: string): { text: string; tone: 'ok' } => {
    signals.push([process.pid, signal]);
    return { text: `recorded ${signal} for ${process.pid}`, tone: 'ok' };
  };
  const app = render(h(App, { data, columns, rows, nowMs: NOW, onQuit: () => undefined, onSignal }));
  mounted.push(app);
  return app;
}

async function until(app: ReturnType<typeof render>, check: (frame: string) => boolean): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (check(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`frame never matched:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// The process table's rows: lines that start with a PID (after the selection marker).
function tableRows(frame: string): string[][] {
  return frame.split('\n').filter((line) => /^[> ] *\d+ \S+ +[A-Za-z] /.test(line)).map((line) => line.slice(1).trim().split(/\s+/));
}

const sizeValue = (text: string): number => (text === '-' ? -1 : Number.parseFloat(text) * 1024 ** ['B', 'K', 'M', 'G', 'T'].indexOf(text.slice(-1)));

function nonIncreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value <= (values[i - 1] ?? Infinity));
}

describe('App at 80x24', () => {
  it('fits the terminal and shows every panel with live values', async () => {
    const app = mount(liveData());
    const frame = await until(app, (f) => f.includes('live'));
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    for (const label of [' CPU ', ' MEM ', ' PSI ', ' TEMP', ' DISK', ' NET ']) expect(frame).toContain(label);
    expect(frame).toContain(snapshot.system?.hostname ?? 'no hostname');
    expect(frame).toContain(`load ${snapshot.cpu?.load1.toFixed(2)}`);
    expect(frame).toMatch(/\[Processes \d+\]/);
    expect(tableRows(frame).length).toBeGreaterThanOrEqual(5);
  });

  it('sorts by CPU, then RSS, then I/O with s', async () => {
    const app = mount(liveData());
    const cpu = await until(app, (f) => f.includes('sort:cpu'));
    expect(nonIncreasing(tableRows(cpu).map((row) => Number(row[3] === '-' ? -1 : row[3])))).toBe(true);
    app.stdin.write('s');
    const rss = await until(app, (f) => f.includes('sort:rss'));
    const rssValues = tableRows(rss).map((row) => sizeValue(row[4] ?? '-'));
    expect(nonIncreasing(rssValues)).toBe(true);
    // The biggest process of the machine comes first.
    expect(tableRows(rss)[0]?.[0]).toBe(String(snapshot.processes?.topByMemory[0]?.pid));
    app.stdin.write('s');
    const io = await until(app, (f) => f.includes('sort:io'));
    expect(nonIncreasing(tableRows(io).map((row) => sizeValue(row[5] ?? '-')))).toBe(true);
  });

  it('filters with / on a PID, and says when nothing matches', async () => {
    const app = mount(liveData());
    await until(app, (f) => f.includes('sort:cpu'));
    // typed faster than read: the keys come as one string
    app.stdin.write(`/${process.pid}`);
    const editing = await until(app, (f) => f.includes(`filter: ${process.pid}_`));
    expect(editing).toContain('Enter keeps it');
    app.stdin.write('\r');
    const filtered = await until(app, (f) => f.includes(`filter:${process.pid}`) && !f.includes('Enter keeps'));
    expect(tableRows(filtered).map((row) => row[0])).toContain(String(process.pid));
    expect(filtered).toMatch(/\[Processes \d+ of \d+\]/);
    // Other rows are processes whose name, user or full command line holds the PID's digits (the
    // screen shows only the start of a command line): each is checked against its whole record.
    const shown = [...(snapshot.processes?.topByCpu ?? []), ...(snapshot.processes?.topByMemory ?? []), ...(snapshot.processes?.topByIo ?? [])];
    const byPid = new Map(shown.map((info) => [String(info.pid), info]));
    const pidText = String(process.pid);
    for (const row of tableRows(filtered)) {
      const info = byPid.get(row[0] ?? '');
      expect(info, `row ${row.join(' ')}`).toBeDefined();
      const fields = [String(info?.pid), info?.name ?? '', info?.user ?? '', info?.cmdline ?? ''];
      expect(fields.some((text) => text.includes(pidText)), `row ${row.join(' ')}`).toBe(true);
    }
    app.stdin.write('\u001b');
    await until(app, (f) => !f.includes('filter:'));
    for (const key of ['/', 'z', 'q', 'x', 'z', 'q']) app.stdin.write(key);
    await until(app, (f) => f.includes("no process matches 'zqxzq'"));
  });

  it('asks before signalling and calls the signaller only after y', async () => {
    const signals: Array<[number, string]> = [];
    const app = mount(liveData(), 80, 24, signals);
    const frame = await until(app, (f) => f.includes('sort:cpu'));
    const pid = Number(tableRows(frame)[0]?.[0]);
    app.stdin.write('k');
    await until(app, (f) => f.includes(`Send SIGTERM to ${pid}`));
    expect(signals).toEqual([]);
    app.stdin.write('n');
    await until(app, (f) => f.includes(`SIGTERM not sent to ${pid}`));
    expect(signals).toEqual([]);
    app.stdin.write('k');
    await until(app, (f) => f.includes(`Send SIGTERM to ${pid}`));
    app.stdin.write('y');
    await until(app, (f) => f.includes(`recorded SIGTERM for ${pid}`));
    expect(signals).toEqual([[pid, 'SIGTERM']]);
  });

  it('shows the help with ? and goes back with any key', async () => {
    const app = mount(liveData());
    await until(app, (f) => f.includes('sort:cpu'));
    app.stdin.write('?');
    const help = await until(app, (f) => f.includes('hostguard top: keys'));
    expect(help).toContain('q, Ctrl-C');
    expect(help).toContain('[EMERGENCY]');
    app.stdin.write(' ');
    await until(app, (f) => f.includes('sort:cpu'));
  });

  it('moves the focus marker with tab', async () => {
    const app = mount(liveData());
    await until(app, (f) => f.includes('[Processes'));
    app.stdin.write('\t');
    const alerts = await until(app, (f) => f.includes('[Alerts'));
    expect(alerts).not.toContain('[Processes');
    app.stdin.write('\t');
    app.stdin.write('\t');
    // past the events, round to the first top panel
    await until(app, (f) => f.includes('>CPU'));
  });
});

describe('App: levels, anomalies, alerts, events and the connection', () => {
  it('marks the memory level as text, from the value or from the guard', async () => {
    const at = (usedPercent: number): ViewData => liveData((s) => ({ ...s, memory: s.memory && { ...s.memory, usedPercent } }));
    expect(await until(mount(at(20)), (f) => f.includes('[NORMAL]'))).toContain('20.0%');
    await until(mount(at(65)), (f) => f.includes('[WARNING]'));
    await until(mount(at(80)), (f) => f.includes('[CRITICAL]'));
    await until(mount(at(90)), (f) => f.includes('[EMERGENCY]'));
    const event: HostEvent = { id: 'e1', timeMs: NOW, host: 'vm', type: 'guard_level', source: 'guard', message: 'memory level WARNING -> EMERGENCY', data: { from: 'WARNING', to: 'EMERGENCY' } };
    await until(mount(withEvent(at(20), event)), (f) => f.includes('[EMERGENCY] guard'));
  });

  it('lists open anomalies from the real detector, firing alerts, and says when there are none', async () => {
    const rules = anomalySchema.parse({ default_rules: false, rules: [{ name: 'mem-test', metric: 'memory_used_percent', threshold: 0, severity: 'warning' }] });
    const detector = new AnomalyDetector(rules);
    const episode = detector.evaluate(snapshot, NOW - 65_000).opened[0];
    if (!episode) throw new Error('the rule did not open an episode');
    const alert: Alert = { id: 'a1', type: 'DISK_FULL', severity: 'critical', title: '/ is 97% full', message: '', host: 'vm', timeMs: NOW - 1000, context: {}, dedupKey: 'k', state: 'firing', repeatCount: 2 };
    const app = mount(withAlert(withEpisode(liveData(), episode), alert));
    app.stdin.write('\t');
    const frame = await until(app, (f) => f.includes('[Alerts 2]'));
    expect(frame).toMatch(/CRIT \d\d:\d\d:\d\d alert DISK_FULL \/ is 97% full x3/);
    expect(frame).toMatch(/WARN \d\d:\d\d:\d\d open 1m 5s memory used/);
    const none = mount(liveData());
    none.stdin.write('\t');
    expect(await until(none, (f) => f.includes('[Alerts 0]'))).toContain('no open anomalies; no alerts yet');
    const local = mount({ ...liveData(), alerts: undefined, events: undefined });
    local.stdin.write('\t');
    expect(await until(local, (f) => f.includes('[Alerts 0]'))).toContain('alerts come from the daemon');
  });

  it('lists guard and trace events, newest first', async () => {
    const events: HostEvent[] = [
      { id: '1', timeMs: NOW - 5000, host: 'vm', type: 'exec', source: 'trace', pid: 4242, comm: 'stress', message: 'exec stress --vm 1', data: {} },
      { id: '2', timeMs: NOW - 1000, host: 'vm', type: 'guard_signal', source: 'guard', pid: 4242, comm: 'stress', message: 'sent SIGTERM', data: {} },
    ];
    const app = mount(events.reduce(withEvent, liveData()));
    app.stdin.write('\t');
    app.stdin.write('\t');
    const frame = await until(app, (f) => f.includes('[Events 2]'));
    const lines = frame.split('\n');
    const signal = lines.findIndex((line) => line.includes('guard_signal') && line.includes('stress[4242] sent SIGTERM'));
    const exec = lines.findIndex((line) => line.includes('exec') && line.includes('exec stress --vm 1'));
    expect(signal).toBeGreaterThan(0);
    expect(exec).toBeGreaterThan(signal);
  });

  it('says it is disconnected and how old the data is, keeping the last data on screen', async () => {
    const data: ViewData = { ...liveData(), receivedMs: NOW - 12_000, connection: { state: 'disconnected', sinceMs: NOW - 3000, error: 'cannot reach http://127.0.0.1:8080/: connect ECONNREFUSED 127.0.0.1:8080' } };
    const frame = await until(mount(data), (f) => f.includes('disconnected'));
    expect(frame).toContain('disconnected, retrying (last data 12s ago)');
    expect(frame).toContain('ECONNREFUSED');
    expect(frame).toContain(`load ${snapshot.cpu?.load1.toFixed(2)}`);
    const never = await until(mount({ ...initialData('http://127.0.0.1:9', NOW, { alerts: true, events: true }), connection: { state: 'disconnected', sinceMs: NOW, error: 'x' } }), (f) => f.includes('disconnected'));
    expect(never).toContain('disconnected, retrying (no data yet)');
  });

  it('turns control characters in process names and messages into spaces', async () => {
    const data = liveData((s) => ({ ...s, processes: s.processes && { ...s.processes, topByCpu: s.processes.topByCpu.map((p, i) => (i === 0 ? { ...p, cpuPercent: 1000, cmdline: 'evil\u001b[2J\nname' } : p)) } }));
    const frame = await until(mount(data), (f) => f.includes('evil'));
    expect(frame).toContain('evil [2J name');
    expect(frame).not.toContain('\u001b');
  });
});

describe('App at other sizes', () => {
  it('puts the panels in two columns and the lists side by side on a wide terminal (160x40)', () => {
    const frame = renderOnce(liveData(), 160, 40);
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(39);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(160);
    expect(lines.find((line) => line.includes(' CPU '))).toContain(' MEM ');
    expect(lines.find((line) => line.includes('[Processes'))).toContain('Alerts 0');
    expect(lines.some((line) => line.indexOf('Events') > 90)).toBe(true);
  });

  it('shows more processes on a taller terminal and says when the terminal is too small', () => {
    const short = tableRows(renderOnce(liveData(), 80, 24)).length;
    const tall = tableRows(renderOnce(liveData(), 80, 50)).length;
    expect(short).toBeGreaterThanOrEqual(8);
    expect(tall).toBeGreaterThan(short + 20);
    expect(tall).toBeLessThan(50);
    expect(renderOnce(liveData(), 30, 10).replace(/\s+/g, ' ')).toContain('terminal 30x10 is too small for hostguard top (80x24 or more)');
  });
});
