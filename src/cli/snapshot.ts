// `hostguard snapshot`: takes one MetricsSnapshot and prints it as a readable summary or as JSON.
import { parseArgs } from 'node:util';
import { collectorNames } from '../collect/registry.ts';
import { Snapshotter, type SnapshotterOptions } from '../collect/snapshotter.ts';
import { rootFlagProblem } from './rootFlags.ts';

const HELP = `Usage: hostguard snapshot [options]

Prints one snapshot of the host's metrics. Rates (CPU %, bytes/s) come from two reads
--interval seconds apart.

Options:
  --json                 print the MetricsSnapshot as JSON (see docs/snapshot.md)
  --interval SECONDS     time between the two reads (default 1; 0 = one read, no rates)
  --top N                rows in each process top list (default 10)
  --collectors LIST      only these collectors, comma-separated (${collectorNames.join(', ')})
  --proc-root DIR        read /proc from DIR (a fixture tree)
  --sys-root DIR         read /sys from DIR
  --etc-root DIR         read os-release and passwd from DIR
  --kmsg FILE            read the kernel log from FILE instead of /dev/kmsg
  -h, --help             show this help
`;

const OPTIONS = {
  json: { type: 'boolean' },
  interval: { type: 'string' },
  top: { type: 'string' },
  collectors: { type: 'string' },
  'proc-root': { type: 'string' },
  'sys-root': { type: 'string' },
  'etc-root': { type: 'string' },
  kmsg: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function parse(args: string[]): ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    // Node's message names the option: "Unknown option '--foo'", "Option '--top <value>' argument missing".
    throw new UsageError(error instanceof Error ? error.message.split('. ')[0] ?? error.message : String(error));
  }
}

function number(flag: string, text: string | undefined, fallback: number, check: (n: number) => boolean, accepted: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${flag} '${text}' is not ${accepted}`);
  return value;
}

function enabledCollectors(list: string | undefined): Record<string, boolean> | undefined {
  if (list === undefined) return undefined;
  const names = list.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !collectorNames.includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--collectors: unknown collector '${unknown[0] ?? list}'; known: ${collectorNames.join(', ')}`);
  }
  return Object.fromEntries(collectorNames.map((name) => [name, names.includes(name)]));
}

function options(values: ReturnType<typeof parse>): { snapshotter: SnapshotterOptions; intervalMs: number; json: boolean } {
  const intervalSeconds = number('interval', values.interval, 1, (n) => n >= 0 && n <= 3600, 'a number of seconds from 0 to 3600');
  const top = number('top', values.top, 10, (n) => Number.isInteger(n) && n >= 0 && n <= 1000, 'an integer from 0 to 1000');
  const enabled = enabledCollectors(values.collectors);
  const rootProblem = rootFlagProblem(values);
  if (rootProblem !== undefined) throw new UsageError(rootProblem);
  const snapshotter: SnapshotterOptions = {
    topProcesses: top,
    ...(enabled ? { enabled } : {}),
    ...(values['proc-root'] === undefined ? {} : { procRoot: values['proc-root'] }),
    ...(values['sys-root'] === undefined ? {} : { sysRoot: values['sys-root'] }),
    ...(values['etc-root'] === undefined ? {} : { etcRoot: values['etc-root'] }),
    ...(values.kmsg === undefined ? {} : { kmsgPath: values.kmsg }),
  };
  return { snapshotter, intervalMs: intervalSeconds * 1000, json: values.json ?? false };
}

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    const values = parse(args);
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    parsed = options(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`hostguard snapshot: ${error.message}. See 'hostguard snapshot --help'.\n`);
    return 2;
  }
  const snapshotter = new Snapshotter(parsed.snapshotter);
  try {
    const startedMs = performance.now();
    let snapshot = snapshotter.collect();
    if (parsed.intervalMs > 0) {
      // The interval runs from the start of the first read (the first one is the slowest).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, parsed.intervalMs - (performance.now() - startedMs))));
      snapshot = snapshotter.collect();
    }
    process.stdout.write(parsed.json ? `${JSON.stringify(snapshot, null, 2)}\n` : `${Snapshotter.summarize(snapshot).join('\n')}\n`);
    // Every collector failing means there was nothing to show.
    return snapshot.errors !== undefined && snapshot.errors.length === snapshotter.collectorNames.length ? 1 : 0;
  } finally {
    snapshotter.close();
  }
}
