// The guard's [memory] and [protect] TOML sections: one zod schema each, defaults from
// guardDefaults.ts. Other sections of the file are left to their own schemas. The guard loads this
// module only for --config, since the TOML parser and zod cost it ~130 ms and ~18 MiB at start.
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { z } from 'zod';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import { MEMORY_DEFAULTS, MEMORY_POLICIES, PROTECT_DEFAULTS } from './guardDefaults.ts';

const percent = z.number().min(0).max(100);
const seconds = z.number().positive();

const memoryFields = z
  .object({
    enabled: z.boolean().describe('turn the graduated response on (as --graduated)'),
    policy: z.enum(MEMORY_POLICIES).describe('competing targets: leader-first (others paused from WARNING), tiered (leader one level milder), table (all alike)'),
    max_memory_mb: z.number().int().min(0).describe('memory budget the levels are percentages of; 0: the cgroup limit, or 75 % of MemTotal'),
    warning_percent: percent.describe('WARNING at this share of the budget: nice 10 and the release signal'),
    critical_percent: percent.describe('CRITICAL: throttle (duty cycle or CPU quota)'),
    emergency_percent: percent.describe('EMERGENCY: pause, at most max_pause_seconds at a time'),
    hysteresis_percent: percent.describe('a level is left only this far below its threshold'),
    check_interval_seconds: seconds.describe('growth window, throttle step and longest poll at NORMAL'),
    max_pause_seconds: seconds.describe('longest single pause'),
    min_duty_percent: z.number().min(1).max(99).describe('run share between pauses (never 0)'),
    throttle_steps_percent: z.array(z.number().min(1).max(99)).min(1).describe('CRITICAL duty cycle, one step per check interval'),
    top_growers: z.number().int().min(1).describe('default targets: this many fastest memory growers'),
    min_growth_mb: z.number().min(0).describe('a grower gained at least this much in the window; 0: 1 % of the budget, at least 4 MiB'),
    nice: z.number().int().min(1).max(19).describe('nice value given to targets at WARNING'),
    throttle: z.string().describe('regex: targets are the processes whose comm or command line matches (as --throttle)'),
    throttle_cgroups: z.array(z.string()).describe('cgroups to slow as a whole (as --throttle-cgroup)'),
    release_signal: z.string().describe('signal sent to targets at WARNING, e.g. SIGUSR1 (as --release-signal)'),
    ledger: z.string().describe('ledger file of stopped and throttled targets; empty: /run/hostguard/...'),
  })
  .strict();

export const memorySchema = memoryFields.partial();

const cleanupSchema = z
  .object({
    directory: z.string().optional(),
    max_age_hours: z.number().positive().optional(),
    command: z.string().optional(),
    filesystem: z.string().optional(),
  })
  .strict();

const protectFields = z
  .object({
    enabled: z.boolean().describe('turn the resource protector on (as --protect MODE)'),
    mode: z.enum(['dev', 'test', 'prod']).describe('dev: CPU 75 % RAM 80 %; test: 85/85; prod: 90/90'),
    cpu_percent: percent.describe("override the mode's CPU share (0: the mode's)"),
    memory_percent: percent.describe("override the mode's memory share (0: the mode's)"),
    sustain_seconds: seconds.describe('how long a process must hold too much CPU before it is reniced, then throttled'),
    disk_percent: percent.describe('run cleanup actions when a watched filesystem is fuller than this'),
    cleanup_interval_seconds: seconds.describe('run each cleanup action at most this often'),
    max_actions_per_minute: z.number().int().min(1).describe('circuit breaker: stop acting after this many actions in a minute'),
    protected_names: z.array(z.string()).describe('never touched: process names (comm or argv[0] basename)'),
    protected_users: z.array(z.string()).describe('never touched: user names or uids'),
    protected_cgroups: z.array(z.string()).describe('never touched: processes in these cgroups or below'),
    cleanup: z.array(cleanupSchema).describe('cleanup actions; none by default'),
  })
  .strict();

export const protectSchema = protectFields.partial();

export interface GuardSections {
  memory?: z.infer<typeof memorySchema>;
  protect?: z.infer<typeof protectSchema>;
}

function describeIssue(file: string, section: string, issue: z.core.$ZodIssue, data: unknown): string {
  const path = issue.path.map(String);
  let value: unknown = data;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  if (path.length === 0) return `${file}: [${section}]: ${issue.message}`;
  const shown = value === undefined ? '' : ` = ${JSON.stringify(value)}`;
  return `${file}: [${section}] ${path.join('.')}${shown}: ${issue.message}`;
}

// Parses a TOML text and validates its [memory] and [protect] sections.
export function parseGuardSections(text: string, file: string): ParseResult<GuardSections> {
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const at = line === undefined ? '' : ` at line ${line}, column ${column}`;
    return fail(`${file}: not valid TOML${at}: ${(error as Error).message.split('\n')[0]}`);
  }
  const sections: GuardSections = {};
  for (const [name, schema] of [['memory', memorySchema], ['protect', protectSchema]] as const) {
    const data = document[name];
    if (data === undefined) continue;
    const result = schema.safeParse(data);
    if (!result.success) {
      const issue = result.error.issues[0];
      return fail(issue ? describeIssue(file, name, issue, data) : `${file}: [${name}] is not valid`);
    }
    Object.assign(sections, { [name]: result.data });
  }
  return ok(sections);
}

export function loadGuardSections(file: string): ParseResult<GuardSections> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseGuardSections(text, file);
}

// The documented example: every key of both sections with its default.
export function exampleToml(): string {
  const line = (key: string, value: unknown, doc: string | undefined): string => `${key} = ${JSON.stringify(value)}${doc ? `  # ${doc}` : ''}`;
  const section = (name: string, defaults: Record<string, unknown>, shape: Record<string, z.ZodType>): string[] => [
    `[${name}]`,
    ...Object.entries(defaults).map(([key, value]) => line(key, value, shape[key]?.description)),
  ];
  return [
    ...section('memory', MEMORY_DEFAULTS, memoryFields.shape),
    '',
    ...section('protect', PROTECT_DEFAULTS, protectFields.shape),
    '',
  ].join('\n');
}
