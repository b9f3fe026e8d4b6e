// /metrics of a real `hostguard serve` on this host: promtool accepts it, and every node_* series it
// has is one the real node_exporter (Debian prometheus-node-exporter 1.5) has too, with the same type
// and, where the value cannot move between two scrapes, the same value.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUp, eventually, startDaemon } from './serveDaemon.ts';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const promtool = spawnSync('promtool', ['--version']).status === 0;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  await cleanUp();
});

// A port nobody listens on now: bind port 0 on loopback, note the port, let it go.
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Family {
  type: string;
  samples: Map<string, number>;
}

// name -> TYPE and samples (series with labels -> value), from the text format.
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) families.set(type[1], { type: type[2], samples: new Map() });
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (sample?.[1] && sample[3]) families.get(sample[1])?.samples.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return families;
}

describe('hostguard serve /metrics', () => {
  it.skipIf(!promtool)('passes promtool check metrics (Debian package prometheus), lint included, but for node_exporter\'s own camelCase names', async () => {
    const daemon = await startDaemon({ config: '[sampler.normal]\ninterval = "1s"\n' });
    await eventually('a snapshot', async () => ((await fetch(`${daemon.baseUrl}/api/v1/metrics/current`)).status === 200 ? true : undefined));
    const response = await fetch(`${daemon.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect([0, 3]).toContain(check.status);
    const problems = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l !== '' && !/^node_memory_[A-Za-z]+_bytes metric names should be written in 'snake_case' not 'camelCase'$/.test(l));
    expect(problems).toEqual([]);
    const families = parseExposition(text);
    for (const name of ['node_memory_MemAvailable_bytes', 'node_load1', 'node_cpu_seconds_total', 'node_filesystem_avail_bytes', 'node_network_receive_bytes_total', 'hostguard_sampler_level', 'hostguard_anomalies_open', 'hostguard_collection_duration_seconds', 'hostguard_store_size_bytes', 'hostguard_websocket_clients']) {
      expect(families.has(name), name).toBe(true);
    }
    const levels = [...(families.get('hostguard_sampler_level')?.samples.values() ?? [])];
    expect(levels.sort()).toEqual([0, 0, 0, 1]);
  });

  it.skipIf(!existsSync(NODE_EXPORTER))('uses node_exporter\'s names, types and values for the same facts', async () => {
    const daemon = await startDaemon({ config: '[sampler.normal]\ninterval = "1s"\n' });
    const port = await freePort();
    const exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`, '--collector.processes'], { stdio: 'ignore' });
    children.push(exporter);
    const theirs = parseExposition(await eventually('node_exporter answering', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      return response?.ok ? response.text() : undefined;
    }));
    await eventually('a snapshot', async () => ((await fetch(`${daemon.baseUrl}/api/v1/metrics/current`)).status === 200 ? true : undefined));
    const ours = parseExposition(await (await fetch(`${daemon.baseUrl}/metrics`)).text());
    const nodeFamilies = [...ours.keys()].filter((name) => name.startsWith('node_'));
    expect(nodeFamilies.length).toBeGreaterThan(30);
    for (const name of nodeFamilies) expect(theirs.get(name)?.type, `node_exporter has ${name}`).toBe(ours.get(name)?.type);
    const same = (series: string): void => {
      const family = series.replace(/\{.*$/, '');
      expect(ours.get(family)?.samples.get(series), series).toBe(theirs.get(family)?.samples.get(series));
    };
    same('node_memory_MemTotal_bytes');
    same('node_memory_SwapTotal_bytes');
    same('node_boot_time_seconds');
    const rootSize = [...(ours.get('node_filesystem_size_bytes')?.samples.keys() ?? [])].find((series) => series.includes('mountpoint="/"'));
    expect(rootSize).toBeDefined();
    if (rootSize) same(rootSize);
    // counters both read from /proc/stat a moment apart: within a second of CPU time
    const idle = 'node_cpu_seconds_total{cpu="0",mode="idle"}';
    const theirIdle = [...(theirs.get('node_cpu_seconds_total')?.samples ?? [])].find(([series]) => series.includes('cpu="0"') && series.includes('mode="idle"'))?.[1];
    expect(Math.abs((ours.get('node_cpu_seconds_total')?.samples.get(idle) ?? 0) - (theirIdle ?? Infinity))).toBeLessThan(5);
  });
});
