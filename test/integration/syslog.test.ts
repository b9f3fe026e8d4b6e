// openSyslog against a real unix datagram socket standing in for /dev/log (a python3 child binds it,
// since Node cannot), and its stderr fallback when the socket or logger is missing or goes away.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Severity, openSyslog } from '../../src/alert/channels/syslog.ts';
import { type Receiver, startReceiver } from '../helpers/syslogReceiver.ts';

function fakeStderr(): { text: () => string; write(text: string): boolean; waitFor(needle: string): Promise<void> } {
  let written = '';
  const waiters: Array<() => void> = [];
  return {
    text: () => written,
    write(text) {
      written += text;
      for (const wake of waiters.splice(0)) wake();
      return true;
    },
    waitFor(needle) {
      return new Promise((done) => {
        const check = (): void => (written.includes(needle) ? done() : void waiters.push(check));
        check();
      });
    },
  };
}

const warningCount = (text: string): number => text.split('is unavailable').length - 1;

describe('openSyslog through logger', () => {
  let dir: string;
  let receiver: Receiver | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-syslog-'));
  });
  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
    rmSync(join(dir, 'log.sock'), { force: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends one RFC 3164 datagram per line with facility daemon, the severity, the tag and our pid', async () => {
    const socketPath = join(dir, 'log.sock');
    receiver = await startReceiver(socketPath);
    const syslog = openSyslog({ tag: 'hostguard-test', socketPath });
    const severities: Severity[] = ['debug', 'info', 'notice', 'warning', 'err', 'crit'];
    for (const severity of severities) syslog.write(severity, `message at ${severity}`);
    await syslog.close();
    const datagrams = await receiver.waitFor(6);
    const pattern = new RegExp(`^<(\\d+)>[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} hostguard-test\\[${process.pid}\\]: (.*)$`);
    const parsed = datagrams.map((datagram) => pattern.exec(datagram)?.slice(1));
    expect(parsed).toEqual([
      ['31', 'message at debug'],
      ['30', 'message at info'],
      ['29', 'message at notice'],
      ['28', 'message at warning'],
      ['27', 'message at err'],
      ['26', 'message at crit'],
    ]);
  });

  it('frames with RFC 5424 when asked, and splits multi-line messages keeping the priority', async () => {
    const socketPath = join(dir, 'log.sock');
    receiver = await startReceiver(socketPath);
    const syslog = openSyslog({ tag: 'hostguard-test', socketPath, rfc5424: true });
    syslog.write('warning', 'first line\n<5>second line');
    await syslog.close();
    const datagrams = await receiver.waitFor(2);
    const pattern = new RegExp(`^<28>1 \\d{4}-\\d\\d-\\d\\dT\\S+ \\S+ hostguard-test ${process.pid} - (?:\\[[^\\]]*\\]|-) (.*)$`);
    expect(datagrams.map((datagram) => pattern.exec(datagram)?.[1])).toEqual(['first line', '<5>second line']);
  });

  it('falls back to stderr with one warning when the socket does not exist', async () => {
    const stderr = fakeStderr();
    const syslog = openSyslog({ tag: 'hostguard-test', socketPath: join(dir, 'missing.sock'), stderr });
    syslog.write('err', 'one');
    syslog.write('info', 'two');
    await syslog.close();
    expect(stderr.text()).toBe(
      `hostguard: syslog through logger on ${join(dir, 'missing.sock')} is unavailable (${join(dir, 'missing.sock')}: no such socket); log lines go to stderr\none\ntwo\n`,
    );
  });

  it('falls back when the path is not a socket', async () => {
    const stderr = fakeStderr();
    writeFileSync(join(dir, 'plain-file'), '');
    const syslog = openSyslog({ tag: 'hostguard-test', socketPath: join(dir, 'plain-file'), stderr });
    syslog.write('err', 'kept');
    await syslog.close();
    expect(stderr.text()).toContain('it is not a socket');
    expect(stderr.text()).toMatch(/\nkept\n$/);
  });

  it('falls back, repeating the queued lines, when logger cannot be run', async () => {
    const socketPath = join(dir, 'log.sock');
    receiver = await startReceiver(socketPath);
    const stderr = fakeStderr();
    const savedPath = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-bin');
    let syslog: ReturnType<typeof openSyslog>;
    try {
      syslog = openSyslog({ tag: 'hostguard-test', socketPath, stderr });
    } finally {
      process.env.PATH = savedPath;
    }
    syslog.write('crit', 'written before the failure was known');
    await stderr.waitFor('written before');
    syslog.write('crit', 'written after');
    await syslog.close();
    expect(warningCount(stderr.text())).toBe(1);
    expect(stderr.text()).toContain('cannot run logger: spawn logger ENOENT');
    expect(stderr.text()).toMatch(/\nwritten before the failure was known\nwritten after\n$/);
  });

  it('falls back once when the syslog socket goes away while logging', async () => {
    const socketPath = join(dir, 'log.sock');
    receiver = await startReceiver(socketPath);
    const stderr = fakeStderr();
    const syslog = openSyslog({ tag: 'hostguard-test', socketPath, stderr });
    syslog.write('info', 'delivered');
    await receiver.waitFor(1);
    await receiver.stop();
    syslog.write('err', 'refused by the dead socket');
    await stderr.waitFor('refused by the dead socket');
    syslog.write('err', 'after the fallback');
    syslog.write('err', 'and another');
    await syslog.close();
    expect(warningCount(stderr.text())).toBe(1);
    expect(stderr.text()).toMatch(/logger exited with code 1: logger: .*; lines from its last second are repeated here/);
    expect(stderr.text()).toMatch(/\nrefused by the dead socket\nafter the fallback\nand another\n$/);
  });
});
