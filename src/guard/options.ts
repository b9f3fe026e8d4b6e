// The guard's command line and OOM_GUARD_* environment, parsed into GuardOptions with earlyoom's
// flags, defaults and exit codes, plus hostguard's own extensions.
import { getopt, type OptionSpec, type ParsedOption } from './getopt.ts';
import { GRADUATED_OPTION_NAMES, type GraduatedFlags, applyGraduatedOption, emptyGraduatedFlags, graduatedSpecs } from './graduated/options.ts';
import { parseBoundedNumber, parseTermKillTuple, type TermKillTuple } from './tuple.ts';

// Exit codes, as earlyoom uses them where earlyoom has the flag.
export const EXIT = {
  badRegex: 6,
  usage: 13,
  badInterval: 14,
  badMemThreshold: 15,
  badSwapThreshold: 16,
  badPsi: 17,
  badCgroup: 18,
  badGraduated: 19,
  fatal: 1,
} as const;

export interface GuardOptions {
  memPercent: TermKillTuple;
  swapPercent: TermKillTuple;
  // -M/-S sizes in KiB; converted to percentages once the total is known.
  memKiB?: TermKillTuple;
  swapKiB?: TermKillTuple;
  memPercentGiven: boolean;
  swapPercentGiven: boolean;
  notify: boolean;
  postKillHook?: string;
  preKillHook?: string;
  killProcessGroup: boolean;
  reportIntervalMs: number;
  raisePriority: boolean;
  debug: boolean;
  prefer?: RegExp;
  avoid?: RegExp;
  ignore?: RegExp;
  ignoreRootUser: boolean;
  sortByRss: boolean;
  dryRun: boolean;
  syslog: boolean;
  termTimeoutMs: number;
  cgroup?: string;
  psi?: { term: number; kill: number };
  json: boolean;
  // --events-file: JSON lines for the daemon to follow
  eventsFile?: string;
  procRoot: string;
  // --graduated, --protect and their settings (resolved with --config in run.ts).
  graduated: GraduatedFlags;
  // Lines to print at startup: ignored flags, raised thresholds, where settings came from.
  notices: string[];
}

export type OptionsResult =
  | { action: 'run'; options: GuardOptions }
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'fail'; exitCode: number; message: string };

const specs: OptionSpec[] = [
  { short: 'm', takesValue: true, name: 'm' },
  { short: 's', takesValue: true, name: 's' },
  { short: 'M', takesValue: true, name: 'M' },
  { short: 'S', takesValue: true, name: 'S' },
  { short: 'k', takesValue: false, name: 'k' },
  { short: 'i', takesValue: false, name: 'i' },
  { short: 'n', takesValue: false, name: 'n' },
  { short: 'g', takesValue: false, name: 'g' },
  { short: 'N', takesValue: true, name: 'N' },
  { short: 'P', takesValue: true, name: 'P' },
  { short: 'd', long: 'debug', takesValue: false, name: 'd' },
  { short: 'v', long: 'version', takesValue: false, name: 'v' },
  { short: 'r', takesValue: true, name: 'r' },
  { short: 'p', takesValue: false, name: 'p' },
  { short: 'h', long: 'help', takesValue: false, name: 'h' },
  { long: 'prefer', takesValue: true, name: 'prefer' },
  { long: 'avoid', takesValue: true, name: 'avoid' },
  { long: 'ignore', takesValue: true, name: 'ignore' },
  { long: 'dryrun', takesValue: false, name: 'dryrun' },
  { long: 'ignore-root-user', takesValue: false, name: 'ignore-root-user' },
  { long: 'sort-by-rss', takesValue: false, name: 'sort-by-rss' },
  { long: 'syslog', takesValue: false, name: 'syslog' },
  { long: 'term-timeout', takesValue: true, name: 'term-timeout' },
  { long: 'cgroup', takesValue: true, name: 'cgroup' },
  { long: 'psi', takesValue: true, name: 'psi' },
  { long: 'json', takesValue: false, name: 'json' },
  { long: 'events-file', takesValue: true, name: 'events-file' },
  { long: 'proc-root', takesValue: true, name: 'proc-root' },
  ...graduatedSpecs,
];

const failure = (exitCode: number, message: string): OptionsResult => ({ action: 'fail', exitCode, message });

function compileRegex(source: string, origin: string): RegExp | string {
  try {
    return new RegExp(source);
  } catch (error) {
    return `could not compile regexp '${source}' (${origin}): ${(error as Error).message}`;
  }
}

function parseSeconds(text: string): number | undefined {
  if (!/^\s*(\d+\.?\d*|\.\d+)\s*$/.test(text)) return undefined;
  return Number(text);
}

function parseBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(lower)) return false;
  return undefined;
}

function defaults(): GuardOptions {
  return {
    memPercent: { term: 10, kill: 5 },
    swapPercent: { term: 10, kill: 5 },
    memPercentGiven: false,
    swapPercentGiven: false,
    notify: false,
    killProcessGroup: false,
    reportIntervalMs: 1000,
    raisePriority: false,
    debug: false,
    ignoreRootUser: false,
    sortByRss: false,
    dryRun: false,
    syslog: false,
    termTimeoutMs: 5000,
    json: false,
    procRoot: '/proc',
    graduated: emptyGraduatedFlags(),
    notices: [],
  };
}

type Apply = (options: GuardOptions, option: ParsedOption) => OptionsResult | undefined;

function tupleOption(field: 'memPercent' | 'swapPercent' | 'memKiB' | 'swapKiB', upper: number, exitCode: number): Apply {
  return (options, option) => {
    const parsed = parseTermKillTuple(option.value ?? '', upper);
    if (!parsed.ok) return failure(exitCode, `${option.spelled}: ${parsed.error}`);
    if (parsed.value.warning) options.notices.push(parsed.value.warning);
    options[field] = parsed.value;
    if (field === 'memPercent') options.memPercentGiven = true;
    if (field === 'swapPercent') options.swapPercentGiven = true;
    return undefined;
  };
}

function regexOption(field: 'prefer' | 'avoid' | 'ignore'): Apply {
  return (options, option) => {
    const compiled = compileRegex(option.value ?? '', option.spelled);
    if (typeof compiled === 'string') return failure(EXIT.badRegex, compiled);
    options[field] = compiled;
    return undefined;
  };
}

function flag(apply: (options: GuardOptions) => void): Apply {
  return (options) => {
    apply(options);
    return undefined;
  };
}

const appliers: Record<string, Apply> = {
  m: tupleOption('memPercent', 99, EXIT.badMemThreshold),
  s: tupleOption('swapPercent', 100, EXIT.badSwapThreshold),
  // -M/-S are bounded by the total once it is known (resolveThresholds); here only by sanity.
  M: tupleOption('memKiB', Number.MAX_SAFE_INTEGER, EXIT.badMemThreshold),
  S: tupleOption('swapKiB', Number.MAX_SAFE_INTEGER, EXIT.badSwapThreshold),
  k: flag((o) => o.notices.push('Option -k is ignored since earlyoom v1.2')),
  i: flag((o) => o.notices.push('Option -i is ignored since earlyoom v1.7')),
  n: flag((o) => (o.notify = true)),
  g: flag((o) => (o.killProcessGroup = true)),
  N: (o, opt) => void (o.postKillHook = opt.value),
  P: (o, opt) => void (o.preKillHook = opt.value),
  d: flag((o) => (o.debug = true)),
  p: flag((o) => (o.raisePriority = true)),
  r: (o, opt) => {
    const seconds = parseSeconds(opt.value ?? '');
    if (seconds === undefined) return failure(EXIT.badInterval, `-r: invalid interval '${opt.value}': expected seconds >= 0`);
    o.reportIntervalMs = Math.round(seconds * 1000);
    return undefined;
  },
  prefer: regexOption('prefer'),
  avoid: regexOption('avoid'),
  ignore: regexOption('ignore'),
  dryrun: flag((o) => (o.dryRun = true)),
  'ignore-root-user': flag((o) => (o.ignoreRootUser = true)),
  'sort-by-rss': flag((o) => (o.sortByRss = true)),
  syslog: flag((o) => (o.syslog = true)),
  json: flag((o) => (o.json = true)),
  'events-file': (o, opt) => {
    if (!opt.value) return failure(EXIT.usage, '--events-file: expected a file path');
    o.eventsFile = opt.value;
    return undefined;
  },
  'term-timeout': (o, opt) => {
    const seconds = parseSeconds(opt.value ?? '');
    if (seconds === undefined || seconds <= 0) {
      return failure(EXIT.badInterval, `--term-timeout: invalid timeout '${opt.value}': expected seconds > 0`);
    }
    o.termTimeoutMs = Math.round(seconds * 1000);
    return undefined;
  },
  cgroup: (o, opt) => void (o.cgroup = opt.value),
  psi: (o, opt) => {
    // For PSI a higher value is worse: KILL must be at or above TERM, default TERM doubled (max 100).
    const [termText = '', killText, ...extra] = (opt.value ?? '').split(',');
    const term = parseBoundedNumber(termText, 100);
    const kill = killText === undefined ? undefined : parseBoundedNumber(killText, 100);
    const bad = 'error' in term ? term.error : kill && 'error' in kill ? kill.error : extra.length > 0 ? 'expected FULL[,KILL]' : undefined;
    if (bad !== undefined || 'error' in term) return failure(EXIT.badPsi, `--psi: ${bad}`);
    const killValue = kill && 'value' in kill ? kill.value : Math.min(100, term.value * 2);
    if (term.value <= 0 || killValue < term.value) {
      return failure(EXIT.badPsi, `--psi: need 0 < FULL <= KILL <= 100, got ${term.value},${killValue}`);
    }
    o.psi = { term: term.value, kill: killValue };
    return undefined;
  },
  'proc-root': (o, opt) => void (o.procRoot = opt.value ?? '/proc'),
};

function applyEnvironment(options: GuardOptions, given: Set<string>, env: NodeJS.ProcessEnv): OptionsResult | undefined {
  const fromEnv = (name: string, value: string): ParsedOption => ({ name, value, spelled: `${name === 'm' || name === 's' ? '-' : '--'}${name} (from environment)` });
  const tuples: Array<[string, string, string[]]> = [
    ['OOM_GUARD_MEM_THRESHOLD', 'm', ['m', 'M']],
    ['OOM_GUARD_SWAP_THRESHOLD', 's', ['s', 'S']],
    ['OOM_GUARD_PREFER', 'prefer', ['prefer']],
    ['OOM_GUARD_AVOID', 'avoid', ['avoid']],
    ['OOM_GUARD_IGNORE', 'ignore', ['ignore']],
  ];
  for (const [variable, name, overriddenBy] of tuples) {
    const value = env[variable];
    if (value === undefined || value === '' || overriddenBy.some((o) => given.has(o))) continue;
    const result = appliers[name]?.(options, fromEnv(name, value));
    if (result) return result.action === 'fail' ? { ...result, message: `${variable}: ${result.message}` } : result;
    options.notices.push(`${variable}=${value} applied`);
  }
  for (const [variable, field] of [['OOM_GUARD_NOTIFY', 'notify'], ['OOM_GUARD_DRY_RUN', 'dryRun']] as const) {
    const value = env[variable];
    if (value === undefined) continue;
    const parsed = parseBoolean(value);
    if (parsed === undefined) return failure(EXIT.usage, `${variable}: '${value}' is not a boolean (use 1/0, true/false, yes/no, on/off)`);
    options[field] = options[field] || parsed;
  }
  return undefined;
}

export function parseGuardOptions(args: string[], env: NodeJS.ProcessEnv = {}): OptionsResult {
  const parsed = getopt(args, specs);
  if (!parsed.ok) return failure(EXIT.usage, `${parsed.error}\nTry 'hostguard guard --help' for more information.`);
  if (parsed.options.some((o) => o.name === 'h')) return { action: 'help' };
  if (parsed.options.some((o) => o.name === 'v')) return { action: 'version' };
  if (parsed.operands.length > 0) {
    return failure(EXIT.usage, `extra argument not understood: '${parsed.operands[0]}'\nTry 'hostguard guard --help' for more information.`);
  }
  const options = defaults();
  for (const option of parsed.options) {
    if (GRADUATED_OPTION_NAMES.has(option.name)) {
      const error = applyGraduatedOption(options.graduated, option);
      if (error !== undefined) return failure(EXIT.badGraduated, error);
      continue;
    }
    const result = appliers[option.name]?.(options, option);
    if (result) return result;
  }
  const envResult = applyEnvironment(options, new Set(parsed.options.map((o) => o.name)), env);
  if (envResult) return envResult;
  return { action: 'run', options };
}
