// The closed-loop load of bench/api.ts: wrk runs, and the CPU time the server (all threads, and its
// event loop alone) and wrk spent on them, per request answered.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processCpuSeconds } from './stats.ts';

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  failed: number;
  // milliseconds
  p50: number;
  p99: number;
  max: number;
  bytesPerAnswer: number;
  // the load generator's own CPU time (wrk only)
  clientCpuSeconds?: number;
}

export type Load = (url: string, durationSeconds: number) => Promise<LoadResult>;

// wrk prints "50%    3.63ms" (us, ms or s), "Requests/sec: 21113.94", "422827 requests in 20.03s, 4.75GB read".
function wrkMs(text: string, label: string): number {
  const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)\\b`).exec(text);
  const unit = { us: 0.001, ms: 1, s: 1000 }[match?.[2] ?? 'ms'] ?? 1;
  return Number(match?.[1]) * unit;
}

// wrk with one thread (Debian wrk; C, so the load generator takes less of the 2 CPUs).
export function wrk(connections: number): Load {
  return async (url, durationSeconds) => {
    // through sh, which prints the CPU time of the children it waited for (wrk's, in clock ticks of 10 ms)
    const script = 'wrk "$@"; code=$?; echo "children-cpu-ticks $(cut -d" " -f16,17 /proc/$$/stat)"; exit $code';
    const child = spawn('sh', ['-c', script, 'sh', '-t1', `-c${connections}`, `-d${durationSeconds}s`, '--latency', url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    const total = Number(/(\d+) requests in/.exec(text)?.[1]);
    const read = /requests in [\d.]+s, ([\d.]+)(B|KB|MB|GB) read/.exec(text);
    const bytes = Number(read?.[1]) * ({ B: 1, KB: 1024, MB: 1048576, GB: 1073741824 }[read?.[2] ?? 'B'] ?? 1);
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
    const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0) + (errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
    const ticks = /children-cpu-ticks (\d+) (\d+)/.exec(text);
    const clientCpuSeconds = ticks ? (Number(ticks[1]) + Number(ticks[2])) / 100 : undefined;
    return { requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]), total, failed, clientCpuSeconds, p50: wrkMs(text, '50%'), p99: wrkMs(text, '99%'), max: wrkMs(text, 'Latency\\s+[\\d.]+\\w+\\s+[\\d.]+\\w+'), bytesPerAnswer: bytes / total };
  };
}

// The CPU time of one thread (the main thread's id is the process id: the event loop), seconds.
function threadCpuSeconds(pid: number, tid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
}

export interface Measured extends LoadResult {
  seconds: number;
  // the server's CPU time in the run: all its threads, and its event loop alone
  cpuSeconds: number;
  loopCpuSeconds: number;
}

export async function measure(load: Load, url: string, pid: number, seconds: number): Promise<Measured> {
  const cpuBefore = processCpuSeconds(pid);
  const loopBefore = threadCpuSeconds(pid, pid);
  const result = await load(url, seconds);
  return { ...result, seconds, cpuSeconds: processCpuSeconds(pid) - cpuBefore, loopCpuSeconds: threadCpuSeconds(pid, pid) - loopBefore };
}

// microseconds per request answered
export const perRequestUs = (cpuSeconds: number, m: Measured): number => (cpuSeconds / Math.max(1, m.total)) * 1e6;

export function describeRun(label: string, tool: string, m: Measured, loadavg: string): string {
  const client = m.clientCpuSeconds === undefined ? '' : `, wrk ${perRequestUs(m.clientCpuSeconds, m).toFixed(1)} us`;
  return `${label} (${tool}): ${Math.round(m.requestsPerSecond)} req/s (${m.total} in ${m.seconds} s, ${m.failed} failed), latency p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, max ${m.max.toFixed(0)} ms; ${Math.round(m.bytesPerAnswer)} bytes per answer; server CPU ${((m.cpuSeconds / m.seconds) * 100).toFixed(0)} % of a core, ${perRequestUs(m.cpuSeconds, m).toFixed(1)} us per request (main thread ${perRequestUs(m.loopCpuSeconds, m).toFixed(1)} us)${client}; load average ${loadavg}`;
}
