// Every alert channel against a real receiver: local HTTP servers (healthy, flaky, silent), a folder,
// a script, a unix datagram socket standing in for /dev/log, and a real D-Bus session bus.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY } from '../../src/alert/channel.ts';
import { dbusChannel } from '../../src/alert/channels/dbusAlerts.ts';
import { jsonFilesChannel } from '../../src/alert/channels/jsonFiles.ts';
import { scriptChannel } from '../../src/alert/channels/script.ts';
import { syslogChannel } from '../../src/alert/channels/syslogAlerts.ts';
import { signature, webhookChannel } from '../../src/alert/channels/webhook.ts';
import { AlertSystem, type ConfiguredChannel } from '../../src/alert/system.ts';
import { serveNotifications, startDaemon, type StartedDaemon } from '../helpers/dbusDaemons.ts';
import { startReceiver } from '../helpers/syslogReceiver.ts';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

const servers: Server[] = [];
let dir: string;

// A local HTTP receiver; `respond` decides each answer (or never answers).
async function receiver(respond: (n: number, res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      respond(received.length, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const ok = (_n: number, res: ServerResponse): void => void res.writeHead(204).end();

function alertsWith(channels: ConfiguredChannel[]): AlertSystem {
  return new AlertSystem({ host: 'test-host', noise: { rateLimitMs: 60_000, maxPerMinute: 100 }, channels });
}

const policy = { ...DEFAULT_DELIVERY, timeoutMs: 1000, retries: 2, backoffMs: 20 };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hg-alerts-'));
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('webhooks', () => {
  it('posts the alert as JSON with a verifiable HMAC signature, then its resolution', async () => {
    const hook = await receiver(ok);
    const alerts = alertsWith([{ channel: webhookChannel({ url: hook.url, hmacSecret: 's3cret' }), policy }]);
    alerts.raise({ type: 'DISK_FULL', severity: 'critical', title: 'disk / 96%', message: 'root is full', dedupKey: 'disk:/', context: { usedPercent: 96 } });
    await alerts.idle();
    alerts.resolve('disk:/');
    await alerts.idle();
    expect(hook.received.length).toBe(2);
    const [fired, resolved] = hook.received.map((r) => JSON.parse(r.body) as { event: string; alert: { title: string; context: unknown; state: string } });
    expect(fired?.event).toBe('fired');
    expect(fired?.alert.context).toEqual({ usedPercent: 96 });
    expect(resolved?.event).toBe('resolved');
    expect(hook.received[0]?.headers['x-hostguard-signature']).toBe(signature('s3cret', hook.received[0]!.body));
  });

  it('speaks Slack and Discord', async () => {
    const slack = await receiver(ok);
    const discord = await receiver(ok);
    const alerts = alertsWith([
      { channel: webhookChannel({ name: 'slack', url: slack.url, format: 'slack' }), policy },
      { channel: webhookChannel({ name: 'discord', url: discord.url, format: 'discord' }), policy },
    ]);
    alerts.raise({ type: 'PROCESS_KILLED', severity: 'warning', title: 'killed hog (pid 42)', message: 'memory was low' });
    await alerts.idle();
    expect(JSON.parse(slack.received[0]!.body)).toEqual({ text: '[WARNING] killed hog (pid 42) (test-host)\nmemory was low' });
    expect(JSON.parse(discord.received[0]!.body)).toEqual({ content: '**[WARNING] killed hog (pid 42) (test-host)**\nmemory was low' });
  });

  it('retries an endpoint that fails twice, and a silent endpoint costs the others nothing', async () => {
    const flaky = await receiver((n, res) => void res.writeHead(n <= 2 ? 503 : 200).end());
    const silent = await receiver(() => undefined);
    const healthy = await receiver(ok);
    const alerts = alertsWith([
      { channel: webhookChannel({ name: 'flaky', url: flaky.url }), policy },
      { channel: webhookChannel({ name: 'silent', url: silent.url }), policy: { ...policy, timeoutMs: 300, retries: 1 } },
      { channel: webhookChannel({ name: 'healthy', url: healthy.url }), policy },
    ]);
    const alert = alerts.raise({ type: 'ANOMALY', severity: 'warning', title: 'cpu spike', message: '+45 points' });
    await alerts.idle();
    const status = Object.fromEntries(alerts.deliveries(alert.id).map((d) => [d.channel, d]));
    expect(status.flaky).toMatchObject({ status: 'sent', attempts: 3 });
    expect(status.silent).toMatchObject({ status: 'failed', attempts: 2, reason: 'no answer within 300 ms' });
    expect(status.healthy).toMatchObject({ status: 'sent', attempts: 1 });
    // The healthy delivery finished long before the silent one gave up.
    expect(status.healthy!.durationMs).toBeLessThan(status.silent!.durationMs);
    expect(flaky.received.length).toBe(3);
  });

  it('does not retry a 404', async () => {
    const missing = await receiver((_n, res) => void res.writeHead(404).end());
    const alerts = alertsWith([{ channel: webhookChannel({ url: missing.url }), policy }]);
    const alert = alerts.raise({ type: 'ANOMALY', severity: 'info', title: 't', message: 'm' });
    await alerts.idle();
    expect(alerts.deliveries(alert.id)[0]).toMatchObject({ status: 'failed', attempts: 1, reason: `POST ${missing.url}: HTTP 404` });
  });
});

describe('JSON files', () => {
  it('writes one parseable file per event, atomically, and caps the folder', async () => {
    const folder = join(dir, 'json');
    const alerts = alertsWith([{ channel: jsonFilesChannel({ directory: folder, maxFiles: 10 }), policy }]);
    // Same type, same second, four deliveries in flight at once: no file may replace another.
    for (let i = 0; i < 8; i++) alerts.raise({ type: 'USB_TIMEOUT', severity: 'warning', title: `usb ${i}`, message: 'descriptor read/64, error -110' });
    await alerts.idle();
    expect(readdirSync(folder).length).toBe(8);
    for (let i = 8; i < 20; i++) alerts.raise({ type: 'USB_TIMEOUT', severity: 'warning', title: `usb ${i}`, message: 'descriptor read/64, error -110' });
    await alerts.idle();
    const files = readdirSync(folder);
    // Capped at 10, pruned down to 90 % when exceeded; never a temp file left behind.
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(files.length).toBeLessThanOrEqual(10);
    for (const name of files) {
      expect(name).toMatch(/^alert_\d+_USB_TIMEOUT(_\d+)?\.json$/);
      const parsed = JSON.parse(readFileSync(join(folder, name), 'utf8')) as { type: string; event: string };
      expect([parsed.type, parsed.event]).toEqual(['USB_TIMEOUT', 'fired']);
    }
  });

  it('keeps every delivery sent while the folder is pruned under a storm (prunes never race each other)', async () => {
    const folder = join(dir, 'json-storm');
    const channels = [{ channel: jsonFilesChannel({ directory: folder, maxFiles: 20 }), policy: { ...policy, retries: 0 } }];
    const alerts = new AlertSystem({ host: 'test-host', noise: { rateLimitMs: 60_000, maxPerMinute: 1000 }, channels });
    const raised = Array.from({ length: 300 }, (_, i) => alerts.raise({ type: 'ANOMALY', severity: 'warning', title: `storm ${i}`, message: 'm', dedupKey: `storm:${i}` }));
    await alerts.idle();
    const statuses = raised.flatMap((alert) => alerts.deliveries(alert.id));
    expect(statuses.filter((s) => s.status !== 'sent')).toEqual([]);
    expect(statuses.length).toBe(300);
    expect(readdirSync(folder).length).toBeLessThanOrEqual(20);
  });
});

describe('script hook', () => {
  it('runs with the alert in the environment and on stdin, and records a failing status', async () => {
    const out = join(dir, 'script.out');
    const good = join(dir, 'good.sh');
    writeFileSync(good, `#!/bin/sh\n{ echo "$HOSTGUARD_ALERT_TYPE $HOSTGUARD_ALERT_SEVERITY $HOSTGUARD_ALERT_TITLE"; cat; } > "${out}"\n`);
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/bin/sh\necho broken >&2\nexit 3\n');
    chmodSync(good, 0o755);
    chmodSync(bad, 0o755);
    const alerts = alertsWith([
      { channel: scriptChannel({ path: good, name: 'good' }), policy },
      { channel: scriptChannel({ path: bad, name: 'bad' }), policy },
    ]);
    const alert = alerts.raise({ type: 'OOM_KILL', severity: 'critical', title: 'kernel killed java', message: 'oom' });
    await alerts.idle();
    const [head, json] = readFileSync(out, 'utf8').split('\n');
    expect(head).toBe('OOM_KILL critical kernel killed java');
    expect((JSON.parse(json!) as { alert: { id: string } }).alert.id).toBe(alert.id);
    expect(alerts.deliveries(alert.id).find((d) => d.channel === 'bad')).toMatchObject({ status: 'failed', reason: `${bad} exited with status 3: broken` });
  });
});

describe('syslog', () => {
  it('sends an RFC 5424 line with the priority of the severity', async () => {
    const socketPath = join(dir, 'log.sock');
    const log = await startReceiver(socketPath);
    const channel = syslogChannel({ socketPath, tag: 'hostguard-test' });
    try {
      const alerts = alertsWith([{ channel, policy }]);
      alerts.raise({ type: 'RESOURCE_CRITICAL', severity: 'critical', title: 'memory 97%', message: 'low' });
      await alerts.idle();
      const [line] = await log.waitFor(1);
      // daemon.crit = 3*8+2 = 26; RFC 5424: "<26>1 TIMESTAMP HOST TAG PID - ..."
      expect(line).toMatch(/^<26>1 \S+ \S+ hostguard-test \d+ - .*RESOURCE_CRITICAL critical: memory 97%: low/);
    } finally {
      await channel.close();
      await log.stop();
    }
  });
});

describe('D-Bus desktop notifications', () => {
  let bus: StartedDaemon;
  let session: ChildProcess;

  beforeAll(async () => {
    bus = await startDaemon(['--session']);
    // A stand-in for a logged-in graphical user's process: its environment names the session bus.
    session = spawn('sleep', ['60'], { env: { DISPLAY: ':99', DBUS_SESSION_BUS_ADDRESS: bus.address }, stdio: 'ignore' });
  });
  afterAll(async () => {
    session?.kill('SIGKILL');
    await bus?.stop();
  });

  it('reaches the notification server of each graphical session, with urgency from severity', async () => {
    const server = await serveNotifications(bus.address);
    const channel = dbusChannel();
    try {
      const alerts = alertsWith([{ channel, policy: { ...policy, timeoutMs: 3000 } }]);
      const alert = alerts.raise({ type: 'PROCESS_KILLED', severity: 'critical', title: 'killed hog', message: 'pid 42' });
      await alerts.idle();
      expect(alerts.deliveries(alert.id)[0]).toMatchObject({ status: 'sent' });
      const call = server.calls.find((c) => c.summary === 'killed hog');
      expect(call?.body).toBe('pid 42');
      expect(call?.hints.get('urgency')).toBe(2);
      // Its resolution travels over the same connection as the alert did.
      alerts.resolve(alert.dedupKey);
      await alerts.idle();
      const resolved = server.calls.find((c) => c.summary === 'Resolved: killed hog');
      expect(resolved?.hints.get('urgency')).toBe(2);
      expect(resolved?.sender).toBe(call?.sender);
    } finally {
      await channel.close();
      server.client.close();
    }
  });
});
