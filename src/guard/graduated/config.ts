// The graduated response's and the protector's settings: defaults, then the --config file's
// [memory] and [protect] sections, then the flags; checked once and converted to ms, bytes, RegExp.
import { constants } from 'node:os';
import { MEMORY_DEFAULTS, MEMORY_POLICIES, type MemoryPolicy, type MemorySection, PROTECT_DEFAULTS, PROTECT_MODES, type CleanupAction, type ProtectMode, type ProtectSection } from '../../config/guardDefaults.ts';
import { type ParseResult, fail, ok } from '../../sys/result.ts';
import { type LevelThresholds, checkThresholds } from './levels.ts';
import type { GraduatedFlags } from './options.ts';
import { type ProtectedSpec, splitProtectedEntries } from './protectedList.ts';

const MiB = 1024 * 1024;

export interface ProtectConfig {
  mode: ProtectMode;
  cpuPercent: number;
  memoryPercent: number;
  sustainMs: number;
  diskPercent: number;
  cleanupIntervalMs: number;
  maxActionsPerMinute: number;
  cleanup: CleanupAction[];
}

export interface GraduatedConfig {
  policy: MemoryPolicy;
  thresholds: LevelThresholds;
  // 0: automatic (the cgroup's limit, or 75 % of MemTotal on the host).
  maxMemoryBytes: number;
  checkIntervalMs: number;
  maxPauseMs: number;
  minDutyPercent: number;
  throttleStepsPercent: number[];
  topGrowers: number;
  // 0: automatic (1 % of the budget, at least 4 MiB).
  minGrowthBytes: number;
  niceValue: number;
  throttle?: RegExp;
  throttleCgroups: string[];
  releaseSignal?: NodeJS.Signals;
  // undefined: the default path (see ledger.ts).
  ledgerPath?: string;
  protectedSpec: ProtectedSpec;
  // undefined when the protector is off.
  protect?: ProtectConfig;
}

export interface FileSections {
  memory?: Partial<MemorySection>;
  protect?: Partial<ProtectSection>;
}

function signalOf(name: string): NodeJS.Signals | string {
  const upper = name.trim().toUpperCase();
  const full = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  const numeric = /^\d+$/.test(upper) ? Object.entries(constants.signals).find(([, n]) => n === Number(upper))?.[0] : undefined;
  const signal = (numeric ?? full) as NodeJS.Signals;
  if (!(signal in constants.signals)) return `release signal '${name}': not a signal name (SIGUSR1, USR1) or number`;
  if (['SIGKILL', 'SIGSTOP', 'SIGCONT', 'SIGTERM', 'SIGINT'].includes(signal)) return `release signal '${name}': ${signal} does not ask a program to free memory; use one it handles, as SIGUSR1`;
  return signal;
}

function compile(source: string, key: string): RegExp | string {
  try {
    return new RegExp(source);
  } catch (error) {
    return `${key} '${source}': ${(error as Error).message}`;
  }
}

function checkRange(key: string, value: number, low: number, high: number, lowOpen = false): string | undefined {
  const ok = Number.isFinite(value) && (lowOpen ? value > low : value >= low) && value <= high;
  return ok ? undefined : `${key} = ${value}: expected a number ${lowOpen ? '>' : '>='} ${low} and <= ${high}`;
}

function memoryProblems(m: MemorySection): string | undefined {
  const steps = m.throttle_steps_percent;
  if (!MEMORY_POLICIES.includes(m.policy)) return `policy = '${m.policy}': expected ${MEMORY_POLICIES.join(', ')}`;
  return (
    checkThresholds({ warningPercent: m.warning_percent, criticalPercent: m.critical_percent, emergencyPercent: m.emergency_percent, hysteresisPercent: m.hysteresis_percent }) ??
    checkRange('max_memory_mb', m.max_memory_mb, 0, Number.MAX_SAFE_INTEGER / MiB) ??
    checkRange('check_interval_seconds', m.check_interval_seconds, 0, 3600, true) ??
    checkRange('max_pause_seconds', m.max_pause_seconds, 0, 3600, true) ??
    checkRange('min_duty_percent', m.min_duty_percent, 1, 99) ??
    (steps.length > 0 && steps.every((s, i) => s > m.min_duty_percent - 1 && s < 100 && (i === 0 || s <= (steps[i - 1] ?? 100)))
      ? undefined
      : `throttle_steps_percent = [${steps.join(', ')}]: expected falling percentages below 100 and at or above min_duty_percent`) ??
    checkRange('top_growers', m.top_growers, 1, 1000) ??
    checkRange('min_growth_mb', m.min_growth_mb, 0, 1024 * 1024) ??
    checkRange('nice', m.nice, 1, 19)
  );
}

function protectProblems(p: ProtectSection): string | undefined {
  if (!(p.mode in PROTECT_MODES)) return `mode = '${p.mode}': expected dev, test or prod`;
  for (const [i, action] of p.cleanup.entries()) {
    const hasDir = action.directory !== undefined;
    if (hasDir === (action.command !== undefined)) return `cleanup[${i}]: give either directory (with max_age_hours) or command`;
    if (hasDir && !(action.max_age_hours !== undefined && action.max_age_hours > 0)) return `cleanup[${i}]: a directory needs max_age_hours > 0`;
    if (hasDir && !action.directory?.startsWith('/')) return `cleanup[${i}]: directory '${action.directory}' must be an absolute path`;
  }
  return (
    checkRange('cpu_percent', p.cpu_percent, 0, 100) ??
    checkRange('memory_percent', p.memory_percent, 0, 100) ??
    checkRange('sustain_seconds', p.sustain_seconds, 0, 86400, true) ??
    checkRange('disk_percent', p.disk_percent, 1, 100) ??
    checkRange('cleanup_interval_seconds', p.cleanup_interval_seconds, 0, 86400 * 30, true) ??
    checkRange('max_actions_per_minute', p.max_actions_per_minute, 1, 10000)
  );
}

// Returns undefined when neither the graduated response nor the protector is asked for.
export function resolveGraduatedConfig(flags: GraduatedFlags, file: FileSections = {}, origin = 'command line'): ParseResult<GraduatedConfig | undefined> {
  const memory: MemorySection = { ...MEMORY_DEFAULTS, ...file.memory, ...flags.memory };
  const protect: ProtectSection = { ...PROTECT_DEFAULTS, ...file.protect, ...flags.protect };
  if (!memory.enabled && !protect.enabled) {
    const given = [...Object.keys(flags.memory), ...Object.keys(flags.protect), ...(flags.protectedEntries.length > 0 ? ['protected'] : [])];
    return given.length === 0 ? ok(undefined) : fail(`${origin}: ${given.join(', ')} given, but the graduated response is off: add --graduated (or [memory] enabled = true)`);
  }
  const problem = memoryProblems(memory) ?? (protect.enabled ? protectProblems(protect) : undefined);
  if (problem) return fail(`${origin}: ${problem}`);
  const throttle = memory.throttle === '' ? undefined : compile(memory.throttle, 'throttle');
  if (typeof throttle === 'string') return fail(`${origin}: ${throttle}`);
  const signal = memory.release_signal === '' ? undefined : signalOf(memory.release_signal);
  if (signal !== undefined && !(signal in constants.signals)) return fail(`${origin}: ${signal}`);
  const extra = splitProtectedEntries(flags.protectedEntries);
  const mode = PROTECT_MODES[protect.mode];
  return ok({
    policy: memory.policy,
    thresholds: { warningPercent: memory.warning_percent, criticalPercent: memory.critical_percent, emergencyPercent: memory.emergency_percent, hysteresisPercent: memory.hysteresis_percent },
    maxMemoryBytes: memory.max_memory_mb * MiB,
    checkIntervalMs: Math.round(memory.check_interval_seconds * 1000),
    maxPauseMs: Math.round(memory.max_pause_seconds * 1000),
    minDutyPercent: memory.min_duty_percent,
    throttleStepsPercent: memory.throttle_steps_percent,
    topGrowers: memory.top_growers,
    minGrowthBytes: memory.min_growth_mb * MiB,
    niceValue: memory.nice,
    ...(throttle ? { throttle } : {}),
    throttleCgroups: memory.throttle_cgroups,
    ...(signal ? { releaseSignal: signal as NodeJS.Signals } : {}),
    ...(memory.ledger !== '' ? { ledgerPath: memory.ledger } : {}),
    protectedSpec: {
      names: [...protect.protected_names, ...(extra.names ?? [])],
      users: [...protect.protected_users, ...(extra.users ?? [])],
      cgroups: [...protect.protected_cgroups, ...(extra.cgroups ?? [])],
    },
    ...(protect.enabled
      ? {
          protect: {
            mode: protect.mode,
            cpuPercent: protect.cpu_percent || mode.cpu_percent,
            memoryPercent: protect.memory_percent || mode.memory_percent,
            sustainMs: protect.sustain_seconds * 1000,
            diskPercent: protect.disk_percent,
            cleanupIntervalMs: protect.cleanup_interval_seconds * 1000,
            maxActionsPerMinute: protect.max_actions_per_minute,
            cleanup: protect.cleanup,
          },
        }
      : {}),
  });
}
