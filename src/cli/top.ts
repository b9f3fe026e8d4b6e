// `hostguard top`: the terminal UI, on a daemon's API (--url) or on this host's collectors (--local).
import { parseArgs } from 'node:util';
import type { SnapshotterOptions } from '../collect/snapshotter.ts';
import { DaemonSource } from '../tui/daemonSource.ts';
import { LocalSource } from '../tui/localSource.ts';
import type { DataSource } from '../tui/source.ts';
import { rootFlagProblem } from './rootFlags.ts';

const DEFAULT_URL = 'http://127.0.0.1:8080';

const HELP = `Usage: hostguard top [options]

A live view of the host: CPU, memory, pressure, temperatures, disks, network, processes,
anomalies, alerts and guard/trace events. From a running daemon (hostguard serve), or with
--local from this host's collectors when no daemon runs. Press ? inside for the keys.

Options:
  --url URL              the daemon (default ${DEFAULT_URL})
  --token TOKEN          the daemon's API token (default: HOSTGUARD_TOKEN; the variable keeps
                         the token out of the process list)
  --local                read this host's collectors instead of a daemon
  --interval SECONDS     --local: time between snapshots (default 1; 0.2 to 3600)
  --top N                --local: processes kept per top list (default 100; 1 to 1000)
  --proc-root DIR        --local: read /proc from DIR
  --sys-root DIR         --local: read /sys from DIR
  --etc-root DIR         --local: read os-release and passwd from DIR
  --once                 print one screen as text and exit (no terminal needed)
  -h, --help             show this help

Exit status: 0 after q or Ctrl-C, 2 for a usage error, 1 when --once cannot get data,
128 + n after signal n.
`;

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  local: { type: 'boolean' },
  interval: { type: 'string' },
  top: { type: 'string' },
  'proc-root': { type: 'string' },
  'sys-root': { type: 'string' },
  'etc-root': { type: 'string' },
  once: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: false }>>['values'];

interface TopOptions {
  source: { kind: 'daemon'; url: URL; token?: string } | { kind: 'local'; intervalMs: number; snapshotter: SnapshotterOptions };
  procRoot: string;
  once: boolean;
}

function parse(args: string[]): Values {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error));
  }
}

function number(flag: string, text: string | undefined, fallback: number, check: (n: number) => boolean, accepted: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${flag} '${text}' is not ${accepted}`);
  return value;
}

function daemonUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url '${text}' is not a URL such as ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url '${text}' is not an http:// or https:// URL such as ${DEFAULT_URL}`);
  return url;
}

function options(values: Values, env: NodeJS.ProcessEnv): TopOptions {
  const procRoot = values['proc-root'] ?? '/proc';
  if (values.local) {
    const daemonFlag = ['url', 'token'].find((flag) => values[flag as 'url' | 'token'] !== undefined);
    if (daemonFlag) throw new UsageError(`--${daemonFlag} is for a daemon; --local reads this host's collectors`);
    const intervalSeconds = number('interval', values.interval, 1, (n) => n >= 0.2 && n <= 3600, 'a number of seconds from 0.2 to 3600');
    const top = number('top', values.top, 100, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000');
    const rootProblem = rootFlagProblem(values);
    if (rootProblem !== undefined) throw new UsageError(rootProblem);
    const snapshotter: SnapshotterOptions = {
      topProcesses: top,
      procRoot,
      ...(values['sys-root'] === undefined ? {} : { sysRoot: values['sys-root'] }),
      ...(values['etc-root'] === undefined ? {} : { etcRoot: values['etc-root'] }),
    };
    return { source: { kind: 'local', intervalMs: intervalSeconds * 1000, snapshotter }, procRoot, once: values.once ?? false };
  }
  const localFlag = ['interval', 'top', 'proc-root', 'sys-root', 'etc-root'].find((flag) => values[flag as keyof Values] !== undefined);
  if (localFlag) throw new UsageError(`--${localFlag} is for --local; a daemon's interval and lists are its own configuration`);
  const token = values.token ?? (env.HOSTGUARD_TOKEN === '' ? undefined : env.HOSTGUARD_TOKEN);
  return { source: { kind: 'daemon', url: daemonUrl(values.url ?? DEFAULT_URL), ...(token === undefined ? {} : { token }) }, procRoot, once: values.once ?? false };
}

function createSource(options: TopOptions): DataSource & { once(): Promise<string | undefined> } {
  const spec = options.source;
  if (spec.kind === 'local') {
    const source = new LocalSource({ intervalMs: spec.intervalMs, snapshotter: spec.snapshotter });
    return Object.assign(source, { once: async () => (await source.sample(), undefined) });
  }
  const source = new DaemonSource({ url: spec.url, ...(spec.token === undefined ? {} : { token: spec.token }) });
  return Object.assign(source, { once: () => source.poll() });
}

// One screen as plain text, as wide as the terminal (or $COLUMNS, or 100 columns).
async function printOnce(source: ReturnType<typeof createSource>): Promise<number> {
  const error = await source.once();
  if (error !== undefined) {
    process.stderr.write(`hostguard top: ${error}\n`);
    return 1;
  }
  const { renderOnce } = await import('../tui/once.ts');
  const columns = process.stdout.columns || Number(process.env.COLUMNS) || 100;
  const rows = process.stdout.rows || Number(process.env.LINES) || 40;
  process.stdout.write(`${renderOnce(source.store.data, columns, rows)}\n`);
  return 0;
}

function notATerminal(): string | undefined {
  if (!process.stdout.isTTY) return "standard output is not a terminal; use 'hostguard top --once' for one screen as text, or 'hostguard snapshot'";
  if (!process.stdin.isTTY) return "standard input is not a terminal, and the keys need one; use 'hostguard top --once' for one screen as text";
  return undefined;
}

export async function main(args: string[]): Promise<number> {
  let parsed: TopOptions;
  try {
    const values = parse(args);
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    parsed = options(values, process.env);
    const refusal = parsed.once ? undefined : notATerminal();
    if (refusal) throw new UsageError(refusal);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`hostguard top: ${error.message}. See 'hostguard top --help'.\n`);
    return 2;
  }
  // React's development build (the default without NODE_ENV) keeps debugging data for every
  // render: measured here, the heap grew 0.6 MiB a second and CPU doubled. It is loaded on first import.
  process.env.NODE_ENV ??= 'production';
  const source = createSource(parsed);
  if (parsed.once) return printOnce(source);
  const { runInteractive } = await import('../tui/run.ts');
  return runInteractive(source, { procRoot: parsed.procRoot });
}
