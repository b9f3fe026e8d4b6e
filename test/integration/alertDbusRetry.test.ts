// The D-Bus alert channel's retries against real dbus-daemon children: a bus stopped and restarted
// mid-way, a bus that stays down, a Notify whose connection breaks after it was sent, one bus of two
// down, and the alert system closed while a retry waits for its backoff.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY, type DeliveryPolicy, type DeliveryStatus } from '../../src/alert/channel.ts';
import { dbusChannel } from '../../src/alert/channels/dbusAlerts.ts';
import type { SessionBus } from '../../src/alert/channels/dbusSessions.ts';
import { AlertSystem } from '../../src/alert/system.ts';
import { type NotifyAnswer, type StartedDaemon, serveNotifications, startDaemon, uniqueNames } from '../helpers/dbusDaemons.ts';

interface Bus {
  daemon: StartedDaemon;
  server: Awaited<ReturnType<typeof serveNotifications>>;
}

let dir: string;
const buses: Bus[] = [];
const systems: AlertSystem[] = [];

// A session bus listening on `name` in the test's folder, with a notification server on it.
async function startBus(name: string, answer?: NotifyAnswer): Promise<Bus> {
  const daemon = await startDaemon(['--session', `--address=unix:path=${join(dir, name)}`]);
  const bus = { daemon, server: await serveNotifications(daemon.address, undefined, answer) };
  buses.push(bus);
  return bus;
}

async function stopBus(bus: Bus, signal?: NodeJS.Signals): Promise<void> {
  bus.server.client.close();
  await bus.daemon.stop(signal);
}

const sessionOf = (name: string): SessionBus => ({ address: `unix:path=${join(dir, name)}`, uid: process.geteuid?.() ?? 0 });

// The channel is told exactly which buses to notify: scanning /proc would also find other programs' buses.
function alertsOn(names: string[], policy: Partial<DeliveryPolicy>): { alerts: AlertSystem; channel: ReturnType<typeof dbusChannel> } {
  const channel = dbusChannel({ findBuses: () => names.map(sessionOf), callTimeoutMs: 1000 });
  const alerts = new AlertSystem({ host: 'test-host', noise: { rateLimitMs: 60_000, maxPerMinute: 1000 }, channels: [{ channel, policy: { ...DEFAULT_DELIVERY, ...policy } }] });
  systems.push(alerts);
  return { alerts, channel };
}

function raise(alerts: AlertSystem, title: string): string {
  return alerts.raise({ type: 'PROCESS_KILLED', severity: 'critical', title, message: 'pid 42', dedupKey: title }).id;
}

// Waits for the alert's final delivery status (the only channel is D-Bus).
async function statusOf(alerts: AlertSystem, id: string): Promise<DeliveryStatus> {
  const deadlineMs = Date.now() + 20_000;
  for (;;) {
    const [status] = alerts.deliveries(id);
    if (status) return status;
    if (Date.now() > deadlineMs) throw new Error(`no delivery status for alert ${id} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostguard-dbus-retry-'));
});
afterEach(async () => {
  await Promise.all(systems.splice(0).map((alerts) => alerts.close(500)));
  for (const bus of buses.splice(0)) await stopBus(bus);
  rmSync(dir, { recursive: true, force: true });
});

describe('D-Bus deliveries retry with backoff', () => {
  it('delivers, once, an alert raised while the bus was down, after the bus restarts at the same address', async () => {
    const first = await startBus('bus');
    const { alerts } = alertsOn(['bus'], { retries: 5, backoffMs: 200 });
    const before = raise(alerts, 'before the outage');
    expect(await statusOf(alerts, before)).toMatchObject({ status: 'sent', attempts: 1 });
    await stopBus(first);
    const during = raise(alerts, 'during the outage');
    // Backoff 200, 400, 800, 1600, 3200 ms: the first attempts find no bus, a later one finds the new one.
    await sleep(300);
    expect(alerts.deliveries(during)).toEqual([]);
    const second = await startBus('bus');
    const status = await statusOf(alerts, during);
    expect(status.status).toBe('sent');
    expect(status.attempts).toBeGreaterThan(1);
    expect(second.server.calls.map((c) => c.summary)).toEqual(['during the outage']);
    expect(first.server.calls.map((c) => c.summary)).toEqual(['before the outage']);
  });

  it('records a failure with the reason after every attempt found the bus down', async () => {
    const bus = await startBus('bus');
    await stopBus(bus);
    const { alerts } = alertsOn(['bus'], { retries: 2, backoffMs: 50 });
    const id = raise(alerts, 'nobody listening');
    const status = await statusOf(alerts, id);
    expect(status).toMatchObject({ status: 'failed', attempts: 3 });
    expect(status.reason).toContain(`D-Bus ${sessionOf('bus').address}:`);
    // at least the backoffs (50 + 100 ms) passed between the first attempt and the last
    expect(status.durationMs).toBeGreaterThanOrEqual(150);
  });

  it("records 'unknown' and does not retry a Notify whose connection broke after it was sent", async () => {
    let crashed: Promise<void> | undefined;
    const bus = await startBus('bus', (call, id) => {
      // The server has the call; the bus dies before the answer can travel back.
      if (call.summary === 'lost answer') {
        crashed = bus.daemon.stop('SIGKILL');
        return new Promise<number>(() => undefined);
      }
      return id;
    });
    const { alerts } = alertsOn(['bus'], { retries: 3, backoffMs: 50 });
    const id = raise(alerts, 'lost answer');
    const status = await statusOf(alerts, id);
    await crashed;
    expect(status).toMatchObject({ status: 'unknown', attempts: 1 });
    expect(status.reason).toContain('may have been shown');
    expect(status.reason).toContain('was sent, before its answer');
    // A retry would have reached the restarted bus within the backoffs (50, 100, 200 ms): none does.
    const restarted = await startBus('bus');
    await sleep(500);
    expect(restarted.server.calls).toEqual([]);
    expect(bus.server.calls.map((c) => c.summary)).toEqual(['lost answer']);
  });

  it('retries only the bus that missed the alert: the other one shows it once', async () => {
    const up = await startBus('up');
    const down = await startBus('down');
    await stopBus(down);
    const { alerts } = alertsOn(['up', 'down'], { retries: 5, backoffMs: 200 });
    const id = raise(alerts, 'two users');
    await sleep(300);
    const back = await startBus('down');
    const status = await statusOf(alerts, id);
    expect(status.status).toBe('sent');
    expect(status.attempts).toBeGreaterThan(1);
    expect(status.reason).toBeUndefined();
    expect(up.server.calls.map((c) => c.summary)).toEqual(['two users']);
    expect(back.server.calls.map((c) => c.summary)).toEqual(['two users']);
  });

  it('reports a partial delivery as sent, naming the bus that never got it', async () => {
    await startBus('up');
    const down = await startBus('down');
    await stopBus(down);
    const { alerts } = alertsOn(['up', 'down'], { retries: 1, backoffMs: 20 });
    const status = await statusOf(alerts, raise(alerts, 'one of two'));
    expect(status).toMatchObject({ status: 'sent', attempts: 2 });
    expect(status.reason).toContain(`sent to 1 of 2 buses; session bus ${sessionOf('down').address}`);
  });
});

describe('closing the alert system', () => {
  it('cancels a retry waiting for its backoff: the status says so, nothing is sent later, no connection is left', async () => {
    const bus = await startBus('bus');
    const { alerts, channel } = alertsOn(['bus'], { retries: 3, backoffMs: 1000 });
    const sent = raise(alerts, 'first');
    expect(await statusOf(alerts, sent)).toMatchObject({ status: 'sent' });
    await stopBus(bus);
    const id = raise(alerts, 'waiting for a retry');
    // the first attempt fails at once (no socket); its retry is due in 1 s
    await sleep(200);
    const startedMs = performance.now();
    await alerts.close(300);
    // bounded by its budget, not by the retries still due (1 s, 2 s, 4 s); generous for a loaded machine
    expect(performance.now() - startedMs).toBeLessThan(2000);
    const status = alerts.deliveries(id)[0];
    expect(status).toMatchObject({ status: 'failed', attempts: 1 });
    expect(status?.reason).toContain('not retried: the alert system closed');
    // The bus comes back and the retry would have been due: nothing arrives.
    const back = await startBus('bus');
    await sleep(1500);
    expect(back.server.calls).toEqual([]);
    expect(channel.pool.stats.open).toBe(0);
  });

  it('closes the kept-open connection on close(), and later alerts fail without reaching the bus', async () => {
    const bus = await startBus('bus');
    const { alerts } = alertsOn(['bus'], {});
    expect(await statusOf(alerts, raise(alerts, 'one'))).toMatchObject({ status: 'sent' });
    const sender = bus.server.calls[0]?.sender ?? '';
    expect(await uniqueNames(bus.server.client)).toContain(sender);
    await alerts.close(300);
    const deadlineMs = Date.now() + 5000;
    while ((await uniqueNames(bus.server.client)).includes(sender) && Date.now() < deadlineMs) await sleep(20);
    expect(await uniqueNames(bus.server.client)).not.toContain(sender);
    const after = await statusOf(alerts, raise(alerts, 'after close'));
    expect(after).toMatchObject({ status: 'failed', attempts: 0, reason: 'the alert system closed before the first attempt' });
    expect(bus.server.calls.map((c) => c.summary)).toEqual(['one']);
  });
});
