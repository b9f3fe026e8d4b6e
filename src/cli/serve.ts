// `hostguard serve`: the daemon. Reads the configuration (flags > HOSTGUARD_* > file > defaults),
// opens the store, samples, detects, serves; SIGTERM or SIGINT stop it cleanly.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SnapshotterOptions } from '../collect/snapshotter.ts';
import { type FlagValue, resolveConfig } from '../config/layers.ts';
import type { Config } from '../config/schema.ts';
import { Daemon } from '../daemon/daemon.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { openStore } from '../store/open.ts';
import { formatListenAddress } from '../serve/address.ts';
import { catchStopSignals } from '../sys/stopSignals.ts';
import { rootFlagProblem } from './rootFlags.ts';

const HELP = `Usage: hostguard serve [options]

Runs the daemon: samples the host adaptively, detects anomalies, keeps history, and serves the REST
API (/api/v1), WebSocket (/ws) and Prometheus metrics (/metrics); see docs/API.md.

Options:
  --config FILE        configuration file (default: ./hostguard.toml, else /etc/hostguard/config.toml)
  --listen HOST:PORT   address of the HTTP API (default 127.0.0.1:8080; [api] listen)
  --db PATH|URL        SQLite file ([store] path, default ./data/hostguard.db) or a
                       postgres:// URL ([store] url) for a fleet
  --web-dir DIR        the built web dashboard served at / ([api] web_dir; default the
                       package's web/dist, built by npm run build:web)
  --log-level LEVEL    fatal, error, warn, info (default), debug (each request), trace, silent
                       ([log] level)
  --log-format FORMAT  json (default: one JSON object per line on stderr) or pretty ([log] format)
  --check              check the configuration, print where it came from, and exit
  --proc-root DIR      read /proc from DIR (a fixture tree)
  --sys-root DIR       read /sys from DIR
  --etc-root DIR       read os-release and passwd from DIR
  --kmsg FILE          read the kernel log from FILE instead of /dev/kmsg
  -h, --help           show this help

Every configuration key can also be set as HOSTGUARD_<SECTION>_<KEY> (HOSTGUARD_API_LISTEN,
HOSTGUARD_STORE_PATH, HOSTGUARD_LOG_LEVEL, ...); HOSTGUARD_TOKEN sets the access token,
HOSTGUARD_WEB_DIR the dashboard folder, HOSTGUARD_CONFIG the file.
Precedence: flags, then the environment, then the file, then the defaults
(docs/hostguard.example.toml lists every key).
`;

const OPTIONS = {
  config: { type: 'string' },
  listen: { type: 'string' },
  db: { type: 'string' },
  'web-dir': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  check: { type: 'boolean' },
  'proc-root': { type: 'string' },
  'sys-root': { type: 'string' },
  'etc-root': { type: 'string' },
  kmsg: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false }>>['values'];
const SHUTDOWN_LIMIT_MS = 1900;

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function flags(values: Values): FlagValue[] {
  const list: FlagValue[] = [];
  if (values.listen !== undefined) list.push({ path: ['api', 'listen'], value: values.listen, flag: '--listen' });
  if (values['web-dir'] !== undefined) list.push({ path: ['api', 'web_dir'], value: values['web-dir'], flag: '--web-dir' });
  if (values['log-level'] !== undefined) list.push({ path: ['log', 'level'], value: values['log-level'], flag: '--log-level' });
  if (values['log-format'] !== undefined) list.push({ path: ['log', 'format'], value: values['log-format'], flag: '--log-format' });
  if (values.db !== undefined) list.push({ path: ['store', /^postgres(ql)?:\/\//.test(values.db) ? 'url' : 'path'], value: values.db, flag: '--db' });
  return list;
}

function snapshotterOptions(config: Config, values: Values): SnapshotterOptions {
  return {
    enabled: config.collectors.enabled,
    topProcesses: config.collectors.topProcesses,
    usbTimeoutHoldSeconds: config.collectors.usbTimeoutHoldSeconds,
    ...(values['proc-root'] === undefined ? {} : { procRoot: values['proc-root'] }),
    ...(values['sys-root'] === undefined ? {} : { sysRoot: values['sys-root'] }),
    ...(values['etc-root'] === undefined ? {} : { etcRoot: values['etc-root'] }),
    ...(values.kmsg === undefined ? {} : { kmsgPath: values.kmsg }),
  };
}

// The store as a person reads it, without the password of a PostgreSQL URL.
function storeName(config: Config): string {
  if (config.store.url === undefined) return `sqlite ${config.store.path}`;
  try {
    const url = new URL(config.store.url);
    if (url.password !== '') url.password = '***';
    return `postgres ${url.toString()}`;
  } catch {
    return 'postgres (URL unreadable)';
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// SIGTERM and SIGINT are caught before anything is announced (see catchStopSignals).
async function run(config: Config, values: Values, file: string | undefined, log: Logger): Promise<number> {
  const stopSignals = catchStopSignals();
  try {
    return await runUntilSignal(config, values, file, log, stopSignals.received);
  } finally {
    stopSignals.release();
  }
}

async function runUntilSignal(config: Config, values: Values, file: string | undefined, log: Logger, stopSignal: Promise<NodeJS.Signals>): Promise<number> {
  const options = snapshotterOptions(config, values);
  log.info({ version: version(), config: file ?? null, store: storeName(config) }, `hostguard serve ${version()} starting: config ${file ?? '(defaults)'}; opening the store ${storeName(config)}`);
  let store;
  try {
    store = await openStore({ path: config.store.path, recentWindowMs: config.store.recent_window, ...(config.store.url === undefined ? {} : { url: config.store.url }), ...(config.store.host_id === undefined ? {} : { hostId: config.store.host_id }) });
  } catch (error) {
    log.fatal({ store: storeName(config) }, `cannot open the store ${storeName(config)}: ${message(error)}`);
    return 1;
  }
  const fatal = (error: Error): void => {
    log.fatal(`${error.message}; stopping`);
    process.exit(1);
  };
  const daemon = new Daemon({ config, store, snapshotter: options, version: version(), log, onFatal: fatal });
  let address;
  try {
    address = await daemon.start();
  } catch (error) {
    log.fatal(message(error));
    await daemon.stop(0);
    return 1;
  }
  const where = formatListenAddress({ host: address.address, port: address.port });
  log.info({ version: version(), config: file ?? null, store: storeName(config), hostId: store.hostId, url: `http://${where}`, webDir: config.api.webDir }, `hostguard serve ${version()}: config ${file ?? '(defaults)'}; store ${storeName(config)} (host ${store.hostId}); listening on http://${where} (dashboard /, REST /api/v1, WebSocket /ws, Prometheus /metrics)`);
  const signal = await stopSignal;
  log.info({ signal }, `${signal}: stopping`);
  // Whatever happens, the process is gone within 2 s of the signal.
  setTimeout(() => {
    log.fatal(`shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS).unref();
  const { flushed } = await daemon.stop(SHUTDOWN_LIMIT_MS - 600);
  if (flushed) log.info('stopped: every snapshot written, store closed');
  else log.error('stopped: some queued writes were not finished in time');
  return flushed ? 0 : 1;
}

export async function main(args: string[]): Promise<number> {
  let values: Values;
  try {
    values = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    process.stderr.write(`hostguard serve: ${error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error)}. See 'hostguard serve --help'.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const rootProblem = rootFlagProblem(values);
  if (rootProblem !== undefined) {
    process.stderr.write(`hostguard serve: ${rootProblem}. See 'hostguard serve --help'.\n`);
    return 2;
  }
  const resolved = resolveConfig({ ...(values.config === undefined ? {} : { file: values.config }), env: process.env, flags: flags(values) });
  if (!resolved.ok) {
    process.stderr.write(`hostguard serve: the configuration has errors; not starting.\n${resolved.error}\n`);
    return 2;
  }
  const { config, file } = resolved.value;
  if (values.check) {
    process.stdout.write(`configuration ok: ${file ?? 'no file (defaults)'}; listen ${formatListenAddress(config.api.listen)}; store ${storeName(config)}${config.api.token ? '; token set' : ''}\n`);
    return 0;
  }
  // From here on the daemon logs through its logger (the errors above are plain text: no logger yet).
  return run(config, values, file, createLogger(config.log));
}
