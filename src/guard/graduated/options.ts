// Command-line flags of the graduated response and the protector. Each flag sets the [memory] or
// [protect] key of the same meaning, so flags and a --config file merge key by key (flags win).
import { MEMORY_POLICIES, type MemorySection, type ProtectMode, type ProtectSection } from '../../config/guardDefaults.ts';
import type { OptionSpec, ParsedOption } from '../getopt.ts';

export interface GraduatedFlags {
  memory: Partial<MemorySection>;
  protect: Partial<ProtectSection>;
  // --protected NAME,user:NAME,cgroup:/PATH
  protectedEntries: string[];
  configPath?: string;
}

export const emptyGraduatedFlags = (): GraduatedFlags => ({ memory: {}, protect: {}, protectedEntries: [] });

export const graduatedSpecs: OptionSpec[] = [
  { long: 'graduated', takesValue: false, name: 'graduated' },
  { long: 'policy', takesValue: true, name: 'policy' },
  { long: 'levels', takesValue: true, name: 'levels' },
  { long: 'check-interval', takesValue: true, name: 'check-interval' },
  { long: 'max-memory', takesValue: true, name: 'max-memory' },
  { long: 'max-pause', takesValue: true, name: 'max-pause' },
  { long: 'min-duty', takesValue: true, name: 'min-duty' },
  { long: 'throttle', takesValue: true, name: 'throttle' },
  { long: 'throttle-cgroup', takesValue: true, name: 'throttle-cgroup' },
  { long: 'release-signal', takesValue: true, name: 'release-signal' },
  { long: 'ledger', takesValue: true, name: 'ledger' },
  { long: 'protect', takesValue: true, name: 'protect' },
  { long: 'protected', takesValue: true, name: 'protected' },
  { long: 'config', takesValue: true, name: 'config' },
];

export const GRADUATED_OPTION_NAMES = new Set(graduatedSpecs.map((s) => s.name));

function number(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*(\d+\.?\d*|\.\d+)\s*$/.test(text)) return undefined;
  return Number(text);
}

type Apply = (flags: GraduatedFlags, value: string) => string | undefined;

function positive(key: 'check_interval_seconds' | 'max_pause_seconds', what: string): Apply {
  return (flags, value) => {
    const n = number(value);
    if (n === undefined || n <= 0) return `invalid ${what} '${value}': expected seconds > 0`;
    flags.memory[key] = n;
    return undefined;
  };
}

const appliers: Record<string, Apply> = {
  graduated: (flags) => void (flags.memory.enabled = true),
  policy: (flags, value) => {
    const policy = MEMORY_POLICIES.find((name) => name === value);
    if (policy === undefined) return `invalid policy '${value}': expected ${MEMORY_POLICIES.join(', ')}`;
    flags.memory.policy = policy;
    return undefined;
  },
  levels: (flags, value) => {
    const parts = value.split(',').map(number);
    const [w, c, e] = parts;
    if (parts.length !== 3 || w === undefined || c === undefined || e === undefined) {
      return `invalid levels '${value}': expected WARNING,CRITICAL,EMERGENCY in percent, as 60,75,85`;
    }
    Object.assign(flags.memory, { warning_percent: w, critical_percent: c, emergency_percent: e });
    return undefined;
  },
  'check-interval': positive('check_interval_seconds', 'interval'),
  'max-pause': positive('max_pause_seconds', 'pause'),
  'max-memory': (flags, value) => {
    const n = number(value);
    if (n === undefined || !Number.isInteger(n)) return `invalid size '${value}': expected whole MiB >= 0 (0: automatic)`;
    flags.memory.max_memory_mb = n;
    return undefined;
  },
  'min-duty': (flags, value) => {
    const n = number(value);
    if (n === undefined) return `invalid duty '${value}': expected a percentage`;
    flags.memory.min_duty_percent = n;
    return undefined;
  },
  throttle: (flags, value) => void (flags.memory.throttle = value),
  'throttle-cgroup': (flags, value) => void (flags.memory.throttle_cgroups = [...(flags.memory.throttle_cgroups ?? []), value]),
  'release-signal': (flags, value) => void (flags.memory.release_signal = value),
  ledger: (flags, value) => void (flags.memory.ledger = value),
  protect: (flags, value) => {
    if (value !== 'dev' && value !== 'test' && value !== 'prod') return `invalid mode '${value}': expected dev, test or prod`;
    flags.protect.enabled = true;
    flags.protect.mode = value satisfies ProtectMode;
    return undefined;
  },
  protected: (flags, value) => void flags.protectedEntries.push(value),
  config: (flags, value) => void (flags.configPath = value),
};

// Applies one parsed flag; returns an error message naming the flag, or undefined.
export function applyGraduatedOption(flags: GraduatedFlags, option: ParsedOption): string | undefined {
  const error = appliers[option.name]?.(flags, option.value ?? '');
  return error === undefined ? undefined : `${option.spelled}: ${error}`;
}
