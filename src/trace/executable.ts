// Finds an executable on PATH, as a shell would (bpftrace, setpriv).
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

// The executable a command name resolves to on PATH (or the path itself), undefined if none.
export function findExecutable(command: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  const candidates = command.includes('/') ? [command] : pathVariable.split(':').filter(Boolean).map((dir) => join(dir, command));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
