// --proc-root, --sys-root, --etc-root and --kmsg name things that must exist: a typo would
// otherwise start the command with every collector failing, one message each, and exit 0.
import { statSync } from 'node:fs';

export const ROOT_FLAGS = ['proc-root', 'sys-root', 'etc-root'] as const;

type RootValues = Partial<Record<(typeof ROOT_FLAGS)[number] | 'kmsg', string | boolean | undefined>>;

function kindOf(path: string): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

// The first flag whose path is wrong, as a sentence; undefined when all are fine.
export function rootFlagProblem(values: RootValues): string | undefined {
  for (const flag of ROOT_FLAGS) {
    const path = values[flag];
    if (typeof path !== 'string') continue;
    const kind = kindOf(path);
    if (kind === 'missing') return `--${flag} '${path}' does not exist`;
    if (kind === 'other') return `--${flag} '${path}' is not a directory`;
  }
  const kmsg = values.kmsg;
  if (typeof kmsg === 'string' && kindOf(kmsg) !== 'other') return `--kmsg '${kmsg}' is not a file`;
  return undefined;
}
