// The -P (before a kill) and -N (after a kill) scripts, run with the victim in their environment
// under earlyoom's names and hostguard's own.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type { Emit, VictimInfo } from './events.ts';

// earlyoom waits this long for the pre-kill hook before it kills anyway.
export const PRE_HOOK_WAIT_MS = 200;

export function victimEnvironment(victim: VictimInfo): Record<string, string> {
  const values = { PID: String(victim.pid), UID: String(victim.uid), NAME: victim.name, CMDLINE: victim.cmdline };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    env[`EARLYOOM_${key}`] = value;
    env[`OOM_GUARD_${key}`] = value;
  }
  return env;
}

// Startup check, as earlyoom does: a hook must be an absolute path; not executable is a warning.
export function checkHook(flag: string, path: string | undefined): { path?: string; warning?: string } {
  if (path === undefined) return {};
  if (!path.startsWith('/')) return { warning: `${flag}: script '${path}' is not an absolute path, disabling ${flag}` };
  try {
    accessSync(path, constants.X_OK);
    return { path };
  } catch (error) {
    return { path, warning: `${flag}: script '${path}' is not executable: ${(error as NodeJS.ErrnoException).code}` };
  }
}

// Runs a hook; resolves when it exits or after waitMs, whichever comes first. The result is
// reported as a 'hook' event when the hook ends, even after the wait.
export function runHook(hook: 'pre-kill' | 'post-kill', path: string, victim: VictimInfo, emit: Emit, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const base = { type: 'hook' as const, hook, path, victimPid: victim.pid };
    const timer = setTimeout(resolve, waitMs);
    let child;
    try {
      child = spawn(path, [], { env: { ...process.env, ...victimEnvironment(victim) }, stdio: 'ignore' });
    } catch (error) {
      clearTimeout(timer);
      emit({ ...base, error: (error as Error).message });
      resolve();
      return;
    }
    child.on('error', (error) => {
      clearTimeout(timer);
      emit({ ...base, error: error.message });
      resolve();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      emit(signal ? { ...base, signal } : { ...base, exitCode: code ?? 0 });
      resolve();
    });
  });
}
