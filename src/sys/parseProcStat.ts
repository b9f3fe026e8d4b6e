// Parser for /proc/stat: per-CPU time split, context switches, boot time and task counts.
import { parseCounter } from './numbers.ts';
import { type ParseResult, fail, ok } from './result.ts';

// Times are in seconds since boot (the kernel's clock ticks divided by USER_HZ, done here, once).
export interface CpuTimes {
  userSeconds: number;
  niceSeconds: number;
  systemSeconds: number;
  idleSeconds: number;
  iowaitSeconds: number;
  irqSeconds: number;
  softirqSeconds: number;
  stealSeconds: number;
}

export interface ProcStat {
  total: CpuTimes;
  // index = the N of the "cpuN" line; an offline CPU has no line, so the array may have holes
  perCpu: Array<CpuTimes | undefined>;
  contextSwitches: number;
  bootTimeSeconds: number;
  processesCreated: number;
  procsRunning: number;
  procsBlocked: number;
}

function parseCpuLine(fields: string[], ticksPerSecond: number): CpuTimes | undefined {
  // user nice system idle iowait irq softirq steal [guest guest_nice]; older kernels stop earlier.
  const values: number[] = [];
  for (let i = 1; i <= 8; i++) {
    const raw = fields[i];
    if (raw === undefined) {
      if (i <= 4) return undefined;
      values.push(0);
      continue;
    }
    const value = parseCounter(raw);
    if (value === undefined) return undefined;
    values.push(value / ticksPerSecond);
  }
  const [userSeconds = 0, niceSeconds = 0, systemSeconds = 0, idleSeconds = 0, iowaitSeconds = 0, irqSeconds = 0, softirqSeconds = 0, stealSeconds = 0] = values;
  return { userSeconds, niceSeconds, systemSeconds, idleSeconds, iowaitSeconds, irqSeconds, softirqSeconds, stealSeconds };
}

export function parseProcStat(text: string, ticksPerSecond: number): ParseResult<ProcStat> {
  let total: CpuTimes | undefined;
  const perCpu: Array<CpuTimes | undefined> = [];
  const scalars = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) {
      const space = line.indexOf(' ');
      const value = space > 0 ? parseCounter(line.slice(space + 1)) : undefined;
      if (value !== undefined) scalars.set(line.slice(0, space), value);
      continue;
    }
    const fields = line.split(/\s+/);
    const name = fields[0] ?? '';
    const times = parseCpuLine(fields, ticksPerSecond);
    if (!times) return fail(`stat: line '${line.slice(0, 60)}' does not have 4 to 10 tick counts`);
    if (name === 'cpu') total = times;
    else {
      const index = Number(name.slice(3));
      if (!/^cpu\d{1,5}$/.test(name)) return fail(`stat: '${name.slice(0, 20)}' is neither 'cpu' nor 'cpuN'`);
      perCpu[index] = times;
    }
  }
  if (!total) return fail("stat: no aggregate 'cpu' line");
  const contextSwitches = scalars.get('ctxt');
  const bootTimeSeconds = scalars.get('btime');
  if (contextSwitches === undefined || bootTimeSeconds === undefined) return fail("stat: 'ctxt' or 'btime' line is missing");
  return ok({
    total,
    perCpu,
    contextSwitches,
    bootTimeSeconds,
    processesCreated: scalars.get('processes') ?? 0,
    procsRunning: scalars.get('procs_running') ?? 0,
    procsBlocked: scalars.get('procs_blocked') ?? 0,
  });
}
