// Benchmark of the alert system (npm run bench -- alerts [--count N] [--with-script]): N alerts through
// the local channels (JSON files, syslog to a local socket, a webhook on loopback, D-Bus on a private
// session bus; the script channel with --with-script), alerts/s, and how late a 100 ms sampling
// timer in the same process runs meanwhile.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DELIVERY } from '../src/alert/channel.ts';
import { dbusChannel } from '../src/alert/channels/dbusAlerts.ts';
import { jsonFilesChannel } from '../src/alert/channels/jsonFiles.ts';
import { scriptChannel } from '../src/alert/channels/script.ts';
import { syslogChannel } from '../src/alert/channels/syslogAlerts.ts';
import { webhookChannel } from '../src/alert/channels/webhook.ts';
import { AlertSystem, type ConfiguredChannel } from '../src/alert/system.ts';
import { serveNotifications, startDaemon } from '../test/helpers/dbusDaemons.ts';
import { startReceiver } from '../test/helpers/syslogReceiver.ts';
import { median, percentile } from './lib/stats.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, 'with-script': { type: 'boolean', default: false } } });
const COUNT = Number(values.count);
const dir = mkdtempSync(join(tmpdir(), 'hg-bench-alerts-'));

let webhookHits = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    webhookHits++;
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const log = await startReceiver(join(dir, 'log.sock'));
const bus = await startDaemon(['--session']);
const notifications = await serveNotifications(bus.address);
const sessionHolder = spawn('sleep', ['600'], { env: { DISPLAY: ':99', DBUS_SESSION_BUS_ADDRESS: bus.address }, stdio: 'ignore' });
const syslog = syslogChannel({ socketPath: join(dir, 'log.sock'), tag: 'hostguard-bench' });
const policy = { ...DEFAULT_DELIVERY, timeoutMs: 10_000 };
const channels: ConfiguredChannel[] = [
  { channel: jsonFilesChannel({ directory: join(dir, 'json'), maxFiles: 100_000 }), policy },
  { channel: syslog, policy },
  { channel: webhookChannel({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` }), policy },
  { channel: dbusChannel(), policy },
];
if (values['with-script']) {
  const script = join(dir, 'hook.sh');
  writeFileSync(script, '#!/bin/sh\ncat > /dev/null\n');
  chmodSync(script, 0o755);
  channels.push({ channel: scriptChannel({ path: script }), policy });
}

// A 100 ms timer standing in for the sampler: how late does it fire while alerts flow?
const lateness: number[] = [];
let expected = performance.now() + 100;
const timer = setInterval(() => {
  const now = performance.now();
  lateness.push(Math.max(0, now - expected));
  expected = now + 100;
}, 100);

try {
  const alerts = new AlertSystem({ host: 'bench', noise: { rateLimitMs: 60_000, maxPerMinute: Number.MAX_SAFE_INTEGER }, channels, historySize: 500 });
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    alerts.raise({ type: 'ANOMALY', severity: 'warning', title: `bench ${i}`, message: 'synthetic', dedupKey: `bench:${i}` });
    // Yield now and then, as alerts arrive between samples rather than in one synchronous burst.
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  await alerts.idle();
  const seconds = (performance.now() - started) / 1000;
  const statuses = alerts.channelStatus();
  console.log(`alerts benchmark: ${COUNT} alerts through ${channels.length} channels (${channels.map((c) => c.channel.name).join(', ')})`);
  console.log(`  ${(COUNT / seconds).toFixed(0)} alerts/s (${seconds.toFixed(2)} s until every delivery ended)`);
  console.log(`  received: webhook ${webhookHits}, D-Bus notifications ${notifications.calls.length}, syslog datagrams ${log.datagrams.length}`);
  console.log(`  last status per channel: ${statuses.map((s) => `${s.channel}=${s.last?.status}`).join(', ')}`);
  console.log(`  100 ms timer lateness during the storm: median ${median(lateness).toFixed(1)} ms, p99 ${percentile(lateness, 99).toFixed(1)} ms, max ${Math.max(...lateness).toFixed(1)} ms`);
} finally {
  clearInterval(timer);
  await syslog.close();
  notifications.client.close();
  sessionHolder.kill('SIGKILL');
  await bus.stop();
  await log.stop();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
