// Runs the interactive UI until q, Ctrl-C, a signal or a crash, and restores the terminal on each.
import { type Instance, render } from 'ink';
import { createElement as h } from 'react';
import type { ProcessInfo } from '../collect/types.ts';
import type { SignalName } from './keys.ts';
import type { Tone } from './levels.ts';
import { outcomeText, signalProcess } from './signal.ts';
import type { DataSource } from './source.ts';
import { TerminalScreen } from './terminal.ts';
import { LiveApp } from './view/LiveApp.ts';

export interface RunOptions {
  procRoot: string;
  now?: () => number;
  kill?: (pid: number, signal: SignalName) => void;
}

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 143, SIGHUP: 129, SIGINT: 130 };

function signalHandler(source: DataSource, options: RunOptions) {
  return (process_: ProcessInfo, signal: SignalName): { text: string; tone: Tone } => {
    const refusal = source.signalRefusal(source.store.data.snapshot);
    if (refusal !== undefined) return { text: `${signal} not sent to ${process_.pid}: ${refusal}`, tone: 'warning' };
    const outcome = signalProcess(process_, signal, { kill: options.kill ?? ((pid, name) => process.kill(pid, name)), procRoot: options.procRoot, ownPid: process.pid });
    return { text: outcomeText(outcome, process_, signal), tone: outcome.kind === 'sent' ? 'ok' : 'critical' };
  };
}

// Resolves with the exit status: 0 after q or Ctrl-C, 128 + n after signal n, 1 after a crash.
export function runInteractive(source: DataSource, options: RunOptions): Promise<number> {
  const now = options.now ?? Date.now;
  const screen = new TerminalScreen({ outputFd: process.stdout.fd, input: process.stdin });
  return new Promise((resolve) => {
    let finished = false;
    // set once Ink has rendered; a signal may come before that
    const app: { instance?: Instance } = {};
    const removers: Array<() => void> = [];
    const finish = (code: number, error?: unknown): void => {
      if (finished) return;
      finished = true;
      try {
        app.instance?.unmount();
      } catch {
        // a crash inside Ink: the screen is restored below all the same
      }
      source.stop();
      screen.restore();
      for (const remove of removers) remove();
      if (error !== undefined) process.stderr.write(`hostguard top: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      // Whatever still holds the event loop (a socket closing slowly) does not keep a quit waiting.
      setTimeout(() => process.exit(code), 1000).unref();
      resolve(code);
    };
    for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
      const handler = (): void => finish(code);
      process.on(signal, handler);
      removers.push(() => process.off(signal, handler));
    }
    const crash = (error: unknown): void => finish(1, error);
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    removers.push(() => process.off('uncaughtException', crash), () => process.off('unhandledRejection', crash));
    // The last resort: process.exit() from anywhere still puts the terminal back.
    process.on('exit', () => screen.restore());
    screen.enter();
    const instance = render(h(LiveApp, { store: source.store, now, onQuit: () => finish(0), onSignal: signalHandler(source, options) }), {
      // Ctrl-C is a key like q (raw mode turns it into input); the signals are handled above.
      exitOnCtrlC: false,
      // Both terminals were checked by the caller; CI=1 in the environment must not turn Ink into
      // a printer of the last frame.
      interactive: true,
      // only the lines that changed are rewritten (Ink 6.8 drew the second frame one line low; 8.0 does not)
      incrementalRendering: true,
      patchConsole: true,
    });
    app.instance = instance;
    instance.waitUntilExit().catch((error: unknown) => finish(1, error));
    source.start();
  });
}
