// The script hook's thread: a script past its timeout is killed (not left running), and closing the
// channel kills the scripts still running before the thread ends.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY, type DeliveryStatus } from '../../src/alert/channel.ts';
import { scriptChannel } from '../../src/alert/channels/script.ts';
import { AlertSystem } from '../../src/alert/system.ts';
import { alive } from '../helpers/processes.ts';

let dir: string;
const pids: number[] = [];


// A script that writes its pid, then hangs (exec: the pid is the sleep's own).
function hangingScript(): { path: string; pid: () => Promise<number> } {
  const path = join(dir, 'hang.sh');
  const pidFile = join(dir, 'hang.pid');
  writeFileSync(path, `#!/bin/sh\necho $$ > "${pidFile}"\nexec sleep 30\n`);
  chmodSync(path, 0o755);
  const pid = async (): Promise<number> => {
    for (let i = 0; i < 500; i++) {
      const text = (() => {
        try {
          return readFileSync(pidFile, 'utf8').trim();
        } catch {
          return '';
        }
      })();
      if (text !== '') {
        pids.push(Number(text));
        return Number(text);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the script never wrote its pid');
  };
  return { path, pid };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!check()) throw new Error(`not within 5 s: ${what}`);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostguard-alert-script-'));
});
afterEach(() => {
  // only the sleeps this test started, by the pid they wrote
  for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('script hook thread', () => {
  it('kills a script that runs past its timeout, and says so', async () => {
    const script = hangingScript();
    const alerts = new AlertSystem({ host: 'h', noise: { rateLimitMs: 60_000, maxPerMinute: 100 }, channels: [{ channel: scriptChannel({ path: script.path, name: 'hang' }), policy: { ...DEFAULT_DELIVERY, timeoutMs: 400, retries: 0 } }] });
    const alert = alerts.raise({ type: 'ANOMALY', severity: 'warning', title: 't', message: 'm' });
    const pid = await script.pid();
    await alerts.idle();
    expect(alerts.deliveries(alert.id)[0]).toMatchObject({ status: 'failed', attempts: 1, reason: 'no answer within 400 ms' });
    await until(() => !alive(pid), `the script (pid ${pid}) ended`);
    await alerts.close(300);
  });

  it('close() kills the scripts still running, then ends the thread', async () => {
    const script = hangingScript();
    const channel = scriptChannel({ path: script.path, name: 'hang' });
    const alerts = new AlertSystem({ host: 'h', noise: { rateLimitMs: 60_000, maxPerMinute: 100 }, channels: [{ channel, policy: { ...DEFAULT_DELIVERY, timeoutMs: 30_000 } }] });
    const ended: DeliveryStatus[] = [];
    alerts.subscribeDeliveries((_alert, status) => ended.push(status));
    alerts.raise({ type: 'ANOMALY', severity: 'warning', title: 't', message: 'm' });
    const pid = await script.pid();
    expect(alive(pid)).toBe(true);
    await alerts.close(300);
    expect(alive(pid)).toBe(false);
    expect(ended).toMatchObject([{ status: 'failed', attempts: 1 }]);
    expect(ended[0]?.reason).toContain('the alert system closed during attempt 1');
  });

  it("the channel's own close() kills a script nobody aborted before it ends the thread", async () => {
    const script = hangingScript();
    const channel = scriptChannel({ path: script.path, name: 'hang' });
    const alert = { id: 'a', type: 'ANOMALY', severity: 'warning', title: 't', message: 'm', host: 'h', timeMs: Date.now(), context: {}, dedupKey: 'k', state: 'firing', repeatCount: 0 } as const;
    const sending = channel.send({ ...alert, context: {} }, 'fired', new AbortController().signal, { number: 1, last: true, targets: new Map() });
    const failed = sending.then(
      () => 'sent',
      (error: Error) => error.message,
    );
    const pid = await script.pid();
    await channel.close();
    expect(alive(pid)).toBe(false);
    expect(await failed).toBe(`${script.path} was killed by SIGKILL`);
  });
});
