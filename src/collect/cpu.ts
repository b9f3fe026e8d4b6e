// CPU collector: busy % in total and per core with its split, load averages, context switches, task counts.
import { type CpuTimes, type ProcStat } from '../sys/parseProcStat.ts';
import type { HeldFileReader } from '../sys/heldFiles.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import { readLoadavg, readProcStat } from '../sys/readHost.ts';
import { type Collector, type CollectorDefinition, type CollectorEnvironment, type Tick, secondsSince } from './collector.ts';
import { formatPercent } from './format.ts';
import { counterRate, defined, percentOf, round } from './rates.ts';
import type { CpuMetrics } from './types.ts';

const FIELDS = ['userSeconds', 'niceSeconds', 'systemSeconds', 'idleSeconds', 'iowaitSeconds', 'irqSeconds', 'softirqSeconds', 'stealSeconds'] as const;

// Per-field increase; a field that stepped back (iowait does on NO_HZ kernels) counts as 0.
function timeDeltas(previous: CpuTimes, current: CpuTimes): { deltas: Record<(typeof FIELDS)[number], number>; total: number } {
  const deltas = {} as Record<(typeof FIELDS)[number], number>;
  let total = 0;
  for (const field of FIELDS) {
    deltas[field] = Math.max(0, current[field] - previous[field]);
    total += deltas[field];
  }
  return { deltas, total };
}

export function cpuSplit(previous: CpuTimes, current: CpuTimes): Partial<CpuMetrics> {
  const { deltas, total } = timeDeltas(previous, current);
  const percent = (value: number): number | undefined => {
    const p = percentOf(value, total);
    return p === undefined ? undefined : round(p);
  };
  return {
    ...defined('busyPercent', percent(total - deltas.idleSeconds - deltas.iowaitSeconds)),
    ...defined('userPercent', percent(deltas.userSeconds)),
    ...defined('nicePercent', percent(deltas.niceSeconds)),
    ...defined('systemPercent', percent(deltas.systemSeconds)),
    ...defined('irqPercent', percent(deltas.irqSeconds + deltas.softirqSeconds)),
    ...defined('iowaitPercent', percent(deltas.iowaitSeconds)),
    ...defined('stealPercent', percent(deltas.stealSeconds)),
    ...defined('idlePercent', percent(deltas.idleSeconds)),
  };
}

class CpuCollector implements Collector<'cpu'> {
  private readonly env: CollectorEnvironment;
  private readonly files: HeldFileReader;
  private previous: { tick: Tick; stat: ProcStat } | undefined;

  constructor(env: CollectorEnvironment) {
    this.env = env;
    this.files = kernelFileReader(env.procRoot);
  }

  collect(tick: Tick): CpuMetrics {
    const read = (path: string): string | undefined => this.files.read(path);
    const stat = readProcStat(this.env.procRoot, this.env.clockTicksPerSecond, read);
    if (!stat.ok) throw new Error(stat.error);
    const load = readLoadavg(this.env.procRoot, read);
    if (!load.ok) throw new Error(load.error);
    const before = this.previous;
    const seconds = secondsSince(before?.tick, tick);
    this.previous = { tick, stat: stat.value };
    const perCore: CpuMetrics['perCore'] = [];
    stat.value.perCpu.forEach((times, cpu) => {
      if (!times) return;
      const old = before?.stat.perCpu[cpu];
      perCore.push({ cpu, ...(old ? defined('busyPercent', cpuSplit(old, times).busyPercent) : {}) });
    });
    const rate = (current: number, previous: number | undefined): number | undefined => {
      const value = counterRate(previous, current, seconds);
      return value === undefined ? undefined : round(value);
    };
    return {
      logicalCpus: perCore.length,
      ...(before ? cpuSplit(before.stat.total, stat.value.total) : {}),
      perCore,
      load1: load.value.load1,
      load5: load.value.load5,
      load15: load.value.load15,
      contextSwitchesTotal: stat.value.contextSwitches,
      ...defined('contextSwitchesPerSecond', rate(stat.value.contextSwitches, before?.stat.contextSwitches)),
      ...defined('processesCreatedPerSecond', rate(stat.value.processesCreated, before?.stat.processesCreated)),
      runningTasks: stat.value.procsRunning,
      blockedTasks: stat.value.procsBlocked,
    };
  }

  close(): void {
    this.files.close();
  }
}

export const cpuCollector: CollectorDefinition<'cpu'> = {
  name: 'cpu',
  description: 'CPU busy % (total, per core, user/system/iowait/steal), load averages, context switches, task counts',
  defaultEnabled: true,
  create: (env) => new CpuCollector(env),
  summarize: (cpu) => [
    `CPU       ${formatPercent(cpu.busyPercent)} busy of ${cpu.logicalCpus} CPUs (user ${formatPercent(cpu.userPercent)}, system ${formatPercent(cpu.systemPercent)}, iowait ${formatPercent(cpu.iowaitPercent)}, steal ${formatPercent(cpu.stealPercent)})`,
    `          per core: ${cpu.perCore.map((core) => `cpu${core.cpu} ${formatPercent(core.busyPercent)}`).join(', ')}`,
    `Load      ${cpu.load1.toFixed(2)} ${cpu.load5.toFixed(2)} ${cpu.load15.toFixed(2)}; ${cpu.runningTasks} running, ${cpu.blockedTasks} blocked; ${cpu.contextSwitchesPerSecond?.toFixed(0) ?? '-'} context switches/s`,
  ],
};
