// `hostguard guard` (and `oom-guard`): parses earlyoom's command line and runs the OOM guard.
import { performance } from 'node:perf_hooks';
import { guardHelp } from '../guard/help.ts';
import { type EventsFile, openEventsFile } from '../guard/eventsFile.ts';
import { EXIT, parseGuardOptions } from '../guard/options.ts';
import { createOutput } from '../guard/output.ts';
import { fatal, packageVersion, runGuard } from '../guard/run.ts';

export async function main(args: string[]): Promise<number> {
  const parsed = parseGuardOptions(args, process.env);
  if (parsed.action === 'help') {
    process.stdout.write(guardHelp());
    return 0;
  }
  if (parsed.action === 'version') {
    process.stdout.write(`hostguard guard ${packageVersion()} (earlyoom-compatible)\n`);
    return 0;
  }
  if (parsed.action === 'fail') return fatal(parsed.exitCode, parsed.message);
  const options = parsed.options;
  // The pids of a fake /proc may be real processes on this machine: never signal them.
  if (options.procRoot !== '/proc' && !options.dryRun) {
    return fatal(EXIT.usage, `--proc-root ${options.procRoot}: reading a /proc other than /proc requires --dryrun, so that no real process is signalled`);
  }
  let eventsFile: EventsFile | undefined;
  try {
    eventsFile = options.eventsFile === undefined ? undefined : openEventsFile(options.eventsFile);
  } catch (error) {
    return fatal(EXIT.usage, (error as Error).message);
  }
  const nowMs = (): number => performance.timeOrigin + performance.now();
  const socketPath = process.env.OOM_GUARD_SYSLOG_SOCKET;
  const syslog = options.syslog ? (await import('../alert/channels/syslog.ts')).openSyslog({ tag: 'oom-guard', ...(socketPath ? { socketPath } : {}) }) : undefined;
  const textSink = syslog ? (line: string, warning: boolean) => syslog.write(warning ? 'warning' : 'info', line) : undefined;
  const emit = createOutput({ json: options.json, debug: options.debug, nowMs, ...(textSink ? { textSink } : {}), ...(eventsFile ? { eventsFile } : {}) });
  try {
    return await runGuard(options, emit, nowMs);
  } finally {
    await syslog?.close();
    eventsFile?.close();
  }
}

