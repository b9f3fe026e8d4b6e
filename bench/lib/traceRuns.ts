// What the tracer benchmarks share: the probe selections they compare, the loops they trace, CPU
// times of a command, and the kernel's run-time statistics of BPF programs.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ProbeSelection } from '../../src/trace/program.ts';

export const NONE: ProbeSelection = { opens: false, io: false, ioFiles: false };

export const CONFIGS: Record<string, ProbeSelection> = {
  none: NONE,
  opens: { opens: true, io: false, ioFiles: false },
  io: { opens: false, io: true, ioFiles: false },
  files: { opens: true, io: true, ioFiles: true },
};
export const CONFIG_NAMES: Record<string, string> = { none: 'exec/exit only', opens: 'opens', io: 'io per process', files: 'opens + io per file' };

export interface Workload {
  name: string;
  command: string[];
  syscalls: number;
  unit: string;
}

// An open loop (open and close of one file) and a dd of one-byte reads and writes.
export function workloads(opens: number, ddSyscalls: number): Workload[] {
  return [
    { name: 'open loop', command: ['/usr/bin/perl', '-e', `for (1..${opens}) { open(my $f, '<', '/etc/hostname') or die; close($f) }`], syscalls: opens, unit: 'open' },
    { name: 'dd', command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${ddSyscalls / 2}`], syscalls: ddSyscalls, unit: 'read/write' },
  ];
}

// CPU seconds of a command in user space and in the kernel, from GNU time (10 ms resolution).
export function cpuTimes(command: string[]): { user: number; system: number } {
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S', ...command], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const [user = 'NaN', system = 'NaN'] = run.stderr.trim().split('\n').at(-1)?.split(' ') ?? [];
  return { user: Number(user), system: Number(system) };
}

export const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// BPF_ENABLE_STATS (bpf(2) command 32) through python3's ctypes: the kernel times every BPF program
// run while the descriptor is open, and stops when it closes (also if the bench dies).
const ENABLE_STATS_PY = `import ctypes, sys
attr = (ctypes.c_uint32 * 32)()
fd = ctypes.CDLL(None, use_errno=True).syscall(321, 32, ctypes.byref(attr), 128)
print("on" if fd >= 0 else "error %d" % ctypes.get_errno(), flush=True)
sys.stdin.read()`;

export async function enableBpfStats(): Promise<(() => void) | undefined> {
  if (process.arch !== 'x64') return undefined;
  const child = spawn('python3', ['-c', ENABLE_STATS_PY], { stdio: ['pipe', 'pipe', 'ignore'] });
  const answer = await new Promise<string>((resolve) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('error', () => resolve('no python3'));
    child.once('exit', () => resolve('exited'));
  });
  if (answer !== 'on') return undefined;
  return () => child.stdin.end();
}
