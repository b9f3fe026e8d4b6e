// Entry point of the hostguard command: picks the subcommand and hands it the rest of argv.
import { readFileSync } from 'node:fs';

interface Subcommand {
  summary: string;
  load: () => Promise<{ main: (args: string[]) => Promise<number> }>;
}

// Subcommands load lazily so that `hostguard guard` pulls in nothing it does not use.
const subcommands: Record<string, Subcommand> = {
  guard: { summary: 'OOM guard, earlyoom-compatible (also installed as oom-guard)', load: () => import('./guard.ts') },
  snapshot: { summary: 'print one snapshot of host metrics (--json for JSON)', load: () => import('./snapshot.ts') },
  serve: { summary: 'the daemon: history, REST + WebSocket API, Prometheus /metrics (127.0.0.1:8080)', load: () => import('./serve.ts') },
  trace: { summary: 'live process, file and OOM events traced with eBPF (exec|exit|open|io|oom)', load: () => import('./trace.ts') },
  top: { summary: 'live terminal view of a daemon (--url) or of this host (--local)', load: () => import('./top.ts') },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const lines = Object.entries(subcommands).map(([name, cmd]) => `  ${name.padEnd(10)} ${cmd.summary}`);
  return [
    'Usage: hostguard <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'hostguard <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

export async function run(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    process.exitCode = name === undefined ? 2 : 0;
    return;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`hostguard ${version()} (Node.js ${process.version})\n`);
    return;
  }
  const command = subcommands[name];
  if (!command) {
    process.stderr.write(`hostguard: unknown command '${name}'. Commands: ${Object.keys(subcommands).join(', ')}.\n`);
    process.exitCode = 2;
    return;
  }
  const module = await command.load();
  process.exitCode = await module.main(rest);
}

if (import.meta.main) {
  await run(process.argv.slice(2));
}
