// The protector's disk cleanup: when a filesystem is fuller than the threshold, configured actions
// run: remove regular files older than a maximum age below a directory (never following symlinks
// or crossing into another filesystem), or run a command. --dryrun lists what would go.
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupAction } from '../../config/guardDefaults.ts';

export function filesystemUsedPercent(path: string): number | undefined {
  try {
    const fs = statfsSync(path);
    const total = fs.blocks;
    // Used as df counts it: blocks minus free, out of used plus what non-root users may still use.
    const used = total - fs.bfree;
    const denominator = used + fs.bavail;
    return denominator > 0 ? (used * 100) / denominator : undefined;
  } catch {
    return undefined;
  }
}

export interface OldFiles {
  files: string[];
  bytes: number;
}

// Regular files below `directory` last modified before `olderThanMs` (epoch ms).
export function findOldFiles(directory: string, olderThanMs: number): OldFiles {
  const result: OldFiles = { files: [], bytes: 0 };
  let device: number;
  try {
    device = lstatSync(directory).dev;
  } catch {
    return result;
  }
  const visit = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let info;
      try {
        info = lstatSync(path);
      } catch {
        continue;
      }
      if (info.dev !== device) continue;
      if (info.isDirectory()) visit(path);
      else if (info.isFile() && info.mtimeMs < olderThanMs) {
        result.files.push(path);
        result.bytes += info.size;
      }
    }
  };
  visit(directory);
  return result;
}

export function removeFiles(files: string[]): { removed: number; error?: string } {
  let removed = 0;
  for (const file of files) {
    try {
      rmSync(file);
      removed++;
    } catch (error) {
      return { removed, error: `${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
  }
  return { removed };
}

// The filesystem an action relieves: a directory action watches its own, a command the one named.
export function watchedPath(action: CleanupAction): string {
  return action.directory ?? action.filesystem ?? '/';
}

export function actionName(action: CleanupAction): string {
  return action.directory !== undefined ? `directory ${action.directory} (files older than ${action.max_age_hours} h)` : `command '${action.command}'`;
}

const COMMAND_TIMEOUT_MS = 60_000;

// Runs a command through the shell; resolves with its exit code (or the error), never rejects.
export function runCommand(command: string): Promise<{ exitCode?: number; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
    child.once('error', (error) => resolve({ error: error.message }));
    child.once('exit', (code, signal) => resolve(signal ? { error: `killed by ${signal}` } : { exitCode: code ?? 0 }));
  });
}
