// `hostguard snapshot` options: fixture roots, the readable summary, and errors that name the flag.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/collect/types.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const roots = ['--proc-root', fixture('collect-proc'), '--sys-root', fixture('collect-sys'), '--etc-root', fixture('collect-etc'), '--kmsg', fixture('collect-kmsg/usb-events.txt')];

function hostguard(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [main, 'snapshot', ...args], { encoding: 'utf8' });
}

describe('hostguard snapshot on the fixture trees', () => {
  it('prints the fixture values as JSON', () => {
    const result = hostguard('--json', '--interval', '0', ...roots);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const snapshot = JSON.parse(result.stdout) as MetricsSnapshot;
    expect(snapshot.system).toMatchObject({ hostname: 'vm', osId: 'debian', cpuModel: 'AMD EPYC' });
    expect(snapshot.temperatures?.sensors).toHaveLength(6);
    expect(snapshot.usb?.devices).toHaveLength(5);
    // The reader starts at the end of the log: the events already in the file are not reported.
    expect(snapshot.usb?.hasTimeout).toBe(false);
    expect(snapshot.processes?.total).toBe(3);
    expect(snapshot.memory?.cgroup?.limitBytes).toBe(1073741824);
    expect(snapshot.intervalSeconds).toBeNull();
  });

  it('prints a readable summary, one section after another', () => {
    const result = hostguard('--interval', '0', '--top', '2', ...roots);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^System {4}vm: Debian GNU\/Linux 12 \(bookworm\), Linux \S+ x86_64, AMD EPYC \(2 CPUs, 2 cores\)/m);
    expect(result.stdout).toMatch(/^Temps {5}x86_pkg_temp 45\.0 C \(crit 100 C\), acpitz 27\.8 C/m);
    expect(result.stdout).toMatch(/^Processes 3 \(1 kernel threads\)/m);
    expect(result.stdout).toMatch(/^USB {7}5 devices: 1-1 046d:c52b USB Receiver/m);
  });

  it('takes only the collectors asked for', () => {
    const snapshot = JSON.parse(hostguard('--json', '--interval', '0', '--collectors', 'memory,temperatures', ...roots).stdout) as MetricsSnapshot;
    expect(Object.keys(snapshot).sort()).toEqual(['intervalSeconds', 'memory', 'temperatures', 'timestamp', 'timestampMs']);
  });
});

describe('hostguard snapshot usage errors', () => {
  it('exits 2 naming an unknown flag', () => {
    const result = hostguard('--bogus');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("'--bogus'");
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming a bad value and what would be accepted', () => {
    const interval = hostguard('--interval=-1');
    expect(interval.status).toBe(2);
    expect(interval.stderr).toContain("--interval '-1' is not a number of seconds from 0 to 3600");
    const collectors = hostguard('--collectors', 'cpu,gpu');
    expect(collectors.status).toBe(2);
    expect(collectors.stderr).toContain("unknown collector 'gpu'; known: system, cpu,");
  });

  it('exits 2 before reading anything when a root folder does not exist', () => {
    const result = hostguard('--interval', '0', '--proc-root', '/nonexistent-proc');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("hostguard snapshot: --proc-root '/nonexistent-proc' does not exist. See 'hostguard snapshot --help'.\n");
    expect(result.stdout).toBe('');
  });

  it('prints its help and exits 0', () => {
    const result = hostguard('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--proc-root DIR');
  });
});
