// The alert system's bookkeeping, with a recording channel standing in for a real one (the real
// channels have their own tests against real receivers in test/integration/alerts.test.ts).
import { describe, expect, it } from 'vitest';
import { type AlertChannel, DEFAULT_DELIVERY, OutcomeUnknownError, TransientError } from './channel.ts';
import type { Alert, AlertEvent } from './model.ts';
import { AlertSystem } from './system.ts';

function recorder(name: string, fail?: (attempt: number) => Error | undefined): AlertChannel & { seen: Array<[string, AlertEvent]> } {
  const seen: Array<[string, AlertEvent]> = [];
  let attempts = 0;
  return {
    name,
    seen,
    async send(alert: Alert, event: AlertEvent) {
      const error = fail?.(++attempts);
      if (error) throw error;
      seen.push([alert.title, event]);
    },
  };
}

function system(channels: Array<{ channel: AlertChannel; minSeverity?: Alert['severity'] }>, clock = { now: 0 }) {
  return new AlertSystem({
    host: 'test-host',
    noise: { rateLimitMs: 60_000, maxPerMinute: 100 },
    channels: channels.map((c) => ({ channel: c.channel, policy: { ...DEFAULT_DELIVERY, backoffMs: 1, minSeverity: c.minSeverity ?? 'info' } })),
    nowMs: () => clock.now,
    localHour: () => 12,
    sleep: async () => undefined,
  });
}

describe('AlertSystem', () => {
  it('sends a new alert to every channel and counts repeats without sending them', async () => {
    const a = recorder('a');
    const alerts = system([{ channel: a }]);
    const first = alerts.raise({ type: 'RESOURCE_CRITICAL', severity: 'critical', title: 'CPU 97%', message: 'busy', dedupKey: 'cpu' });
    const again = alerts.raise({ type: 'RESOURCE_CRITICAL', severity: 'critical', title: 'CPU 97%', message: 'still busy', dedupKey: 'cpu' });
    await alerts.idle();
    expect(again.id).toBe(first.id);
    expect(again.repeatCount).toBe(1);
    expect(a.seen).toEqual([['CPU 97%', 'fired']]);
    expect(alerts.deliveries(first.id).map((d) => d.status).sort()).toEqual(['sent', 'suppressed']);
  });

  it('tells only the channels that were told it fired that it resolved', async () => {
    const all = recorder('all');
    const criticalOnly = recorder('critical-only');
    const alerts = system([{ channel: all }, { channel: criticalOnly, minSeverity: 'critical' }]);
    const alert = alerts.raise({ type: 'DISK_FULL', severity: 'warning', title: 'disk 85%', message: '/ is filling', dedupKey: 'disk:/' });
    alerts.resolve('disk:/');
    await alerts.idle();
    expect(alert.state).toBe('resolved');
    expect(all.seen).toEqual([['disk 85%', 'fired'], ['disk 85%', 'resolved']]);
    expect(criticalOnly.seen).toEqual([]);
    expect(alerts.active()).toEqual([]);
  });

  it('retries transient failures and records permanent ones, per channel', async () => {
    const flaky = recorder('flaky', (n) => (n <= 2 ? new TransientError('busy') : undefined));
    const broken = recorder('broken', () => new Error('HTTP 404'));
    const alerts = system([{ channel: flaky }, { channel: broken }]);
    const alert = alerts.raise({ type: 'ANOMALY', severity: 'warning', title: 'spike', message: 'cpu +45 points' });
    await alerts.idle();
    const byChannel = Object.fromEntries(alerts.deliveries(alert.id).map((d) => [d.channel, d]));
    expect(byChannel.flaky).toMatchObject({ status: 'sent', attempts: 3 });
    expect(byChannel.broken).toMatchObject({ status: 'failed', attempts: 1, reason: 'HTTP 404' });
    expect(alerts.channelStatus().map((c) => c.last?.status)).toEqual(['sent', 'failed']);
  });

  it('acknowledges, filters history and keeps at most 500 alerts', async () => {
    const clock = { now: 0 };
    const alerts = system([{ channel: recorder('a') }], clock);
    for (let i = 0; i < 520; i++) {
      clock.now = i * 1000;
      alerts.raise({ type: 'ANOMALY', severity: i % 2 ? 'warning' : 'info', title: `n${i}`, message: 'm' });
    }
    await alerts.idle();
    expect(alerts.history().length).toBe(500);
    expect(alerts.history({ limit: 1 })[0]?.title).toBe('n519');
    const acked = alerts.acknowledge(alerts.history({ limit: 1 })[0]!.id);
    expect(acked?.state).toBe('acknowledged');
    expect(alerts.history({ state: 'acknowledged' }).length).toBe(1);
    expect(alerts.history({ severity: 'warning', startMs: 510_000 }).map((a) => a.title)).toEqual(['n519', 'n517', 'n515', 'n513', 'n511']);
  });

  it('sends one summary when the global cap held alerts back', async () => {
    const a = recorder('a');
    const clock = { now: 0 };
    const alerts = new AlertSystem({
      host: 'h',
      noise: { rateLimitMs: 60_000, maxPerMinute: 5 },
      channels: [{ channel: a, policy: { ...DEFAULT_DELIVERY, backoffMs: 1 } }],
      nowMs: () => clock.now,
      localHour: () => 12,
    });
    for (let i = 0; i < 20; i++) alerts.raise({ type: 'ANOMALY', severity: 'info', title: `a${i}`, message: 'm' });
    clock.now = 61_000;
    alerts.raise({ type: 'ANOMALY', severity: 'info', title: 'later', message: 'm' });
    await alerts.idle();
    expect(a.seen.map(([title]) => title)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', '15 alerts suppressed', 'later']);
  });

  it('test() goes through every channel regardless of noise and minimum severity', async () => {
    const a = recorder('a');
    const b = recorder('b');
    const alerts = system([{ channel: a }, { channel: b, minSeverity: 'critical' }]);
    const results = await alerts.test();
    expect(results.map((r) => [r.channel, r.status])).toEqual([['a', 'sent'], ['b', 'sent']]);
  });

  it('test() tells listeners (the /ws topic, the store) even with no channel configured', async () => {
    const alerts = system([]);
    const heard: Array<[string, string, string]> = [];
    alerts.subscribe((alert, event) => heard.push([alert.type, event, alert.state]));
    expect(await alerts.test()).toEqual([]);
    expect(heard).toEqual([['TEST', 'fired', 'resolved']]);
    expect(alerts.history().map((alert) => alert.type)).toContain('TEST');
  });

  it('keeps delivery statuses only for alerts still in the history, and still tells listeners and the channel status', async () => {
    const a = recorder('a');
    const alerts = new AlertSystem({
      host: 'test-host',
      noise: { rateLimitMs: 60_000, maxPerMinute: 1000 },
      channels: [{ channel: a, policy: { ...DEFAULT_DELIVERY, backoffMs: 1, minSeverity: 'info' } }],
      historySize: 10,
      nowMs: () => 0,
      localHour: () => 12,
      sleep: async () => undefined,
    });
    const heard: string[] = [];
    alerts.subscribeDeliveries((alert) => heard.push(alert.id));
    const raised = Array.from({ length: 50 }, (_, i) => alerts.raise({ type: 'ANOMALY', severity: 'warning', title: `a${i}`, message: 'm', dedupKey: `k${i}` }));
    await alerts.idle();
    expect(a.seen).toHaveLength(50);
    expect(heard).toHaveLength(50);
    expect(raised.slice(0, 40).every((alert) => alerts.deliveries(alert.id).length === 0)).toBe(true);
    expect(raised.slice(40).every((alert) => alerts.deliveries(alert.id).length === 1)).toBe(true);
    expect(alerts.channelStatus()).toEqual([{ channel: 'a', last: expect.objectContaining({ status: 'sent' }) }]);
  });

  it("records an outcome the channel cannot know as 'unknown' and does not retry it", async () => {
    const lost = recorder('lost', () => new OutcomeUnknownError('sent, then the connection broke'));
    const alerts = system([{ channel: lost }]);
    const alert = alerts.raise({ type: 'ANOMALY', severity: 'warning', title: 't', message: 'm' });
    await alerts.idle();
    expect(alerts.deliveries(alert.id)).toMatchObject([{ status: 'unknown', attempts: 1, reason: 'sent, then the connection broke' }]);
  });

  it('close() ends a retry waiting for its backoff: failed, and the channel is not called again', async () => {
    let calls = 0;
    const flaky: AlertChannel = {
      name: 'flaky',
      async send() {
        calls++;
        throw new TransientError('busy');
      },
    };
    // real timers: the backoff (300 ms) is what close() has to cut short
    const alerts = new AlertSystem({ host: 'h', noise: { rateLimitMs: 60_000, maxPerMinute: 100 }, channels: [{ channel: flaky, policy: { ...DEFAULT_DELIVERY, backoffMs: 300 } }] });
    const alert = alerts.raise({ type: 'ANOMALY', severity: 'warning', title: 't', message: 'm' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await alerts.close(100);
    expect(alerts.deliveries(alert.id)).toMatchObject([{ status: 'failed', attempts: 1, reason: 'not retried: the alert system closed (attempt 1: busy)' }]);
    // past the time the retry was due
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(calls).toBe(1);
  });
});
