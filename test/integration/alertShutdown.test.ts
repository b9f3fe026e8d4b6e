// `hostguard serve` closes its alert system at SIGTERM: a webhook retry waiting for its backoff, a
// webhook request nobody answers and a kept-open D-Bus connection do not hold the exit past 2 s,
// and each such delivery ends with a status that says the alert system closed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EARLYOOM_SIGNAL } from '../../src/alert/channels/dbus.ts';
import { type Listener, listen, type StartedDaemon, startDaemon as startBus, writeSystemBusConfig } from '../helpers/dbusDaemons.ts';
import { cleanUp, eventually, FAST_SAMPLING, logRecords, startDaemon } from './serveDaemon.ts';

const servers: Server[] = [];
const held: Socket[] = [];
let bus: StartedDaemon | undefined;
let listener: Listener | undefined;
let dir: string | undefined;

afterAll(async () => {
  await cleanUp();
  for (const socket of held) socket.destroy();
  for (const server of servers) {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
  listener?.close();
  await bus?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function listening(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('alert system at shutdown', () => {
  it('SIGTERM: a pending webhook retry, an unanswered webhook and an open D-Bus connection do not delay exit; their statuses say the alert system closed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-alert-shutdown-'));
    // Always 503: every POST is followed by a retry after 500 ms, 1 s, 2 s, ...
    const flakyTimesMs: number[] = [];
    const flakyPort = await listening(createServer((req, res) => req.resume().on('end', () => (flakyTimesMs.push(performance.now()), res.writeHead(503).end()))));
    // Accepts connections and never answers.
    const silentServer = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      held.push(socket);
    });
    const silentPort = await listening(silentServer as unknown as Server);
    // A port nothing listens on, for a watched endpoint that is down: it raises the alert.
    const gone = createServer();
    const gonePort = await listening(gone);
    await new Promise((resolve) => gone.close(resolve));
    servers.splice(servers.indexOf(gone), 1);
    // The system bus for earlyoom's signal, which the D-Bus channel keeps a connection open to.
    bus = await startBus([`--config-file=${writeSystemBusConfig(dir)}`]);
    listener = await listen(bus.address, `type='signal',interface='${EARLYOOM_SIGNAL.interface}'`);
    const config = `${FAST_SAMPLING}
[alerts.dbus]
system_signal = true

[[alerts.webhooks]]
name = "flaky"
url = "http://127.0.0.1:${flakyPort}/hook"
retries = 6

[[alerts.webhooks]]
name = "silent"
url = "http://127.0.0.1:${silentPort}/hook"
timeout = "30s"
retries = 0

[[alerts.watch]]
name = "gone"
url = "http://127.0.0.1:${gonePort}/"
interval = "200ms"
timeout = "1s"
failures = 1
`;
    const daemon = await startDaemon({ config, fixtureProc: true, env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    await eventually('the first POST, a waiting retry, the unanswered POST and the D-Bus signal', async () => (flakyTimesMs.length >= 1 && held.length >= 1 && listener?.messages.length ? true : undefined), 20_000);
    const sentAt = performance.now();
    process.kill(daemon.pid, 'SIGTERM');
    const exit = await daemon.exited();
    const tookMs = performance.now() - sentAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(2000);
    const records = logRecords(daemon.output());
    const undelivered = (channel: string): string | undefined => records.find((r) => r.msg.includes(`not delivered to ${channel}:`))?.msg;
    expect(undelivered('flaky')).toMatch(/not retried: the alert system closed|the alert system closed during attempt/);
    expect(undelivered('silent')).toContain('the alert system closed during attempt 1');
    expect(listener.messages[0]?.body?.[1]).toContain('gone is down');
    // Nothing came after the exit, though the retries' backoff (up to 32 s) had not run out.
    const atExit = flakyTimesMs.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(flakyTimesMs.length).toBe(atExit);
    expect(flakyTimesMs.every((t) => t < sentAt + tookMs)).toBe(true);
  }, 60_000);
});
