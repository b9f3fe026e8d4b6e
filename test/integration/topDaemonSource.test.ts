// The TUI's daemon client against real daemons: snapshots, anomaly episodes as they open and close,
// the alerts/events lists of a daemon that has no such API yet, tokens, and a frozen daemon.
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonSource } from '../../src/tui/daemonSource.ts';
import type { ViewData } from '../../src/tui/model.ts';
import { cleanUp, eventually, FAST_SAMPLING, setMemAvailablePercent, startDaemon } from './serveDaemon.ts';

const sources: DaemonSource[] = [];
afterEach(async () => {
  for (const source of sources.splice(0)) source.stop();
  await cleanUp();
}, 60_000);

function connect(url: string, options: { token?: string; heartbeatMs?: number } = {}): DaemonSource {
  const source = new DaemonSource({ url: new URL(url), ...options });
  sources.push(source);
  source.start();
  return source;
}

const until = (source: DaemonSource, what: string, check: (data: ViewData) => boolean, timeoutMs = 30_000): Promise<ViewData> =>
  eventually(what, async () => (check(source.store.data) ? source.store.data : undefined), timeoutMs);

const RULE = `[anomaly]\ndefault_rules = false\n[[anomaly.rules]]\nname = "tui-test-memory"\nmetric = "memory_used_percent"\nthreshold = 50\nseverity = "warning"\n`;

describe('DaemonSource', () => {
  it('follows snapshots and anomaly episodes, and shows no alerts or events (404) as none yet', async () => {
    const daemon = await startDaemon({ fixtureProc: true, config: FAST_SAMPLING + RULE });
    setMemAvailablePercent(daemon.dir, 90);
    const source = connect(daemon.baseUrl);
    const live = await until(source, 'a snapshot', (d) => d.connection.state === 'live' && d.snapshot !== undefined && (d.snapshot.memory?.usedPercent ?? 100) < 20);
    await until(source, 'the lists', (d) => d.alerts !== undefined);
    expect(live.snapshot?.system?.hostname).toBeDefined();
    expect(source.store.data.alerts).toEqual([]);
    expect(source.store.data.events).toEqual([]);
    expect(source.store.data.notice).toBeUndefined();
    const before = source.store.data.history.total.length;
    await until(source, 'more snapshots', (d) => d.history.total.length >= before + 3);

    setMemAvailablePercent(daemon.dir, 30);
    const opened = await until(source, 'the episode to open', (d) => d.anomalies.some((e) => e.rule === 'tui-test-memory' && e.endMs === null));
    const episode = opened.anomalies.find((e) => e.rule === 'tui-test-memory');
    expect(episode?.severity).toBe('warning');
    setMemAvailablePercent(daemon.dir, 90);
    await until(source, 'the episode to close', (d) => d.anomalies.some((e) => e.id === episode?.id && e.endMs !== null));

    // A client that connects now gets the closed episode from GET /api/v1/anomalies.
    const later = connect(daemon.baseUrl);
    await until(later, 'the listed episode', (d) => d.anomalies.some((e) => e.id === episode?.id && e.endMs !== null));
  }, 120_000);

  it('says when the token is missing, and works with it', async () => {
    const token = 'tui-test-token-0123456789';
    const daemon = await startDaemon({ config: FAST_SAMPLING, env: { HOSTGUARD_TOKEN: token } });
    const without = connect(daemon.baseUrl);
    const refused = await until(without, 'the refusal', (d) => d.connection.state === 'disconnected');
    expect(refused.connection.state === 'disconnected' && refused.connection.error).toContain('refused the token (401): pass --token or set HOSTGUARD_TOKEN');
    const withToken = connect(daemon.baseUrl, { token });
    await until(withToken, 'a snapshot with the token', (d) => d.connection.state === 'live' && d.snapshot !== undefined);
    await until(withToken, 'the lists with the token', (d) => d.alerts !== undefined && d.notice === undefined);
  }, 120_000);

  it('drops a connection that stops answering (a stopped daemon) and comes back when it answers again', async () => {
    const daemon = await startDaemon({ config: FAST_SAMPLING });
    const source = connect(daemon.baseUrl, { heartbeatMs: 500 });
    await until(source, 'live', (d) => d.connection.state === 'live' && d.snapshot !== undefined);
    process.kill(daemon.pid, 'SIGSTOP');
    try {
      const frozen = await until(source, 'disconnected', (d) => d.connection.state === 'disconnected');
      expect(frozen.connection.state === 'disconnected' && frozen.connection.error).toMatch(/stopped answering pings|Opening handshake has timed out/);
    } finally {
      process.kill(daemon.pid, 'SIGCONT');
    }
    await until(source, 'live again', (d) => d.connection.state === 'live', 60_000);
  }, 120_000);

  it('may signal only processes of this host: a loopback daemon reporting this hostname', async () => {
    const daemon = await startDaemon({ config: FAST_SAMPLING });
    const local = connect(daemon.baseUrl);
    const data = await until(local, 'a snapshot', (d) => d.snapshot !== undefined);
    expect(local.signalRefusal(data.snapshot)).toBeUndefined();
    const tunnelled = new DaemonSource({ url: new URL(daemon.baseUrl), hostname: () => 'some-other-host' });
    expect(tunnelled.signalRefusal(data.snapshot)).toContain(`reports host '${data.snapshot?.system?.hostname}', not this host 'some-other-host'`);
    const remote = new DaemonSource({ url: new URL('http://192.0.2.10:8080') });
    expect(remote.signalRefusal(data.snapshot)).toContain("the processes are on 192.0.2.10:8080: the daemon's API is read-only and cannot be asked to signal");
  }, 120_000);
});
