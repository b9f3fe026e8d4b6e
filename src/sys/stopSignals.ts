// The signals that ask a long-running command to stop, caught from its first step: a supervisor
// may send one as soon as the command prints its first line, and the default action would end it
// without its clean-up (a store not flushed, a paused process left paused). Once one came, a
// second changes nothing: the clean stop is already under way, and bounded.
export interface StopSignals {
  // The first of the signals that came.
  received: Promise<NodeJS.Signals>;
  // Gives the signals back to their default action.
  release: () => void;
}

export function catchStopSignals(signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): StopSignals {
  let resolveSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  const handler = (signal: NodeJS.Signals): void => resolveSignal(signal);
  for (const signal of signals) process.on(signal, handler);
  return {
    received,
    release: () => {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}
