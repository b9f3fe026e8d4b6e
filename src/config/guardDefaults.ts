// Defaults of the guard's [memory] (graduated response) and [protect] (resource protector)
// sections: the one place they are set. Plain values, so the guard reads them without loading the
// TOML parser and schema library (guardSections.ts) unless --config is given.
// How competing targets share the levels' actions (docs/graduated.md, "Actions"): 'table' gives
// every target its level's action; 'tiered' the leader one level milder; 'leader-first' also
// pauses the others from WARNING on.
export const MEMORY_POLICIES = ['leader-first', 'tiered', 'table'] as const;
export type MemoryPolicy = (typeof MEMORY_POLICIES)[number];

export const MEMORY_DEFAULTS = {
  enabled: false,
  policy: 'leader-first' as MemoryPolicy,
  // 0: the cgroup's limit in cgroup mode, 75 % of MemTotal on the host.
  max_memory_mb: 0,
  warning_percent: 60,
  critical_percent: 75,
  emergency_percent: 85,
  hysteresis_percent: 5,
  check_interval_seconds: 1,
  max_pause_seconds: 2,
  min_duty_percent: 10,
  throttle_steps_percent: [50, 25],
  top_growers: 3,
  // 0: 1 % of the memory budget, at least 4 MiB.
  min_growth_mb: 0,
  nice: 10,
  throttle: '',
  throttle_cgroups: [] as string[],
  release_signal: '',
  // '': /run/hostguard/guard-ledger*.json, or a private directory in the temp dir.
  ledger: '',
};

export type ProtectMode = 'dev' | 'test' | 'prod';

// The seed's modes: the share of CPU and memory one process may hold before the protector acts.
export const PROTECT_MODES: Record<ProtectMode, { cpu_percent: number; memory_percent: number }> = {
  dev: { cpu_percent: 75, memory_percent: 80 },
  test: { cpu_percent: 85, memory_percent: 85 },
  prod: { cpu_percent: 90, memory_percent: 90 },
};

export interface CleanupAction {
  // Remove regular files older than max_age_hours below this directory...
  directory?: string;
  max_age_hours?: number;
  // ...or run this command (through /bin/sh -c).
  command?: string;
  // The filesystem whose usage triggers a command (a directory action watches its own).
  filesystem?: string;
}

export const PROTECT_DEFAULTS = {
  enabled: false,
  mode: 'dev' as ProtectMode,
  // 0: the mode's value.
  cpu_percent: 0,
  memory_percent: 0,
  sustain_seconds: 30,
  disk_percent: 80,
  cleanup_interval_seconds: 600,
  max_actions_per_minute: 10,
  protected_names: [] as string[],
  protected_users: [] as string[],
  protected_cgroups: [] as string[],
  // Nothing is ever deleted by default: every cleanup action is configured by hand.
  cleanup: [] as CleanupAction[],
};

export type MemorySection = typeof MEMORY_DEFAULTS;
export type ProtectSection = typeof PROTECT_DEFAULTS;
