import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, until as waitUntil } from '../../test/helpers/bpftrace.ts';
import { type DownInfo, Supervisor, type SupervisorOptions } from './supervisor.ts';

// Real children: small shell scripts that behave as bpftrace does (a ready line, then records).
interface Run {
  supervisor: Supervisor;
  lines: string[];
  downs: DownInfo[];
  readies: number[];
  gaveUp: Promise<string>;
}

const running: Supervisor[] = [];

function supervise(script: string, options: Partial<SupervisorOptions> = {}): Run {
  const lines: string[] = [];
  const downs: DownInfo[] = [];
  const readies: number[] = [];
  let giveUp: (reason: string) => void = () => undefined;
  const gaveUp = new Promise<string>((resolve) => (giveUp = resolve));
  const supervisor = new Supervisor(
    { command: '/bin/sh', args: ['-c', script], isReady: (line) => line === 'ready', initialBackoffMs: 20, stopTimeoutMs: 2000, ...options },
    { line: (line) => lines.push(line), chunkEnd: () => undefined, ready: (pid) => readies.push(pid), down: (info) => downs.push(info), giveUp, stderr: () => undefined },
  );
  running.push(supervisor);
  supervisor.start();
  return { supervisor, lines, downs, readies, gaveUp };
}

const until = (condition: () => boolean, timeoutMs = 10_000): Promise<void> => waitUntil(condition, timeoutMs, 'the condition');

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('Supervisor', () => {
  it('hands on lines once ready and stops the child by its PID with SIGINT', async () => {
    const run = supervise("trap 'echo bye; exit 0' INT; echo ready; echo one; while :; do sleep 0.05; done");
    await until(() => run.lines.includes('one'));
    const pid = run.supervisor.pid ?? 0;
    expect(run.readies).toEqual([pid]);
    await run.supervisor.stop();
    expect(alive(pid)).toBe(false);
    expect(run.lines).toEqual(['ready', 'one', 'bye']);
    expect(run.downs).toEqual([expect.objectContaining({ requested: true, wasReady: true, code: 0 })]);
  });

  it('restarts a child that dies after being ready, saying why it died', async () => {
    const run = supervise('echo ready; echo "ERROR: probe went away" >&2; exit 3');
    await until(() => run.readies.length >= 3);
    expect(run.supervisor.restarts).toBeGreaterThanOrEqual(2);
    expect(run.downs[0]).toMatchObject({ code: 3, wasReady: true, requested: false, reason: '/bin/sh exited with code 3: ERROR: probe went away' });
  });

  it('gives up on a first start that never gets ready, with the error it printed', async () => {
    const run = supervise('echo "stdin:1:1-36: ERROR: tracepoint not found: sched:sched_process_exec" >&2; exit 1');
    expect(await run.gaveUp).toBe('/bin/sh exited with code 1: stdin:1:1-36: ERROR: tracepoint not found: sched:sched_process_exec');
    expect(run.supervisor.restarts).toBe(0);
  });

  it('kills a child that is not ready in time', async () => {
    const run = supervise('exec sleep 30', { readyTimeoutMs: 100 });
    expect(await run.gaveUp).toBe('/bin/sh killed by SIGKILL: not ready after 100 ms');
    expect(run.supervisor.pid).toBeUndefined();
  });

  it('kills with SIGKILL a child that ignores SIGINT', async () => {
    const run = supervise("trap '' INT; echo ready; while :; do sleep 0.05; done", { stopTimeoutMs: 200 });
    await until(() => run.readies.length === 1);
    const pid = run.supervisor.pid ?? 0;
    await run.supervisor.stop();
    expect(alive(pid)).toBe(false);
    expect(run.downs[0]).toMatchObject({ signal: 'SIGKILL', requested: true });
  });

  it('stops reading while paused: the child blocks on its full pipe, and nothing is lost on resume', async () => {
    const run = supervise('echo ready; i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done; exec sleep 30');
    await until(() => run.readies.length === 1);
    run.supervisor.pause();
    await sleep(300);
    const seen = run.lines.length;
    await sleep(300);
    expect(run.lines.length).toBe(seen);
    expect(seen).toBeLessThan(20001);
    run.supervisor.resume();
    await until(() => run.lines.length === 20001);
    expect(run.lines.at(-1)).toBe('line 19999');
  });
});
