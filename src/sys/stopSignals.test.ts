// SIGUSR2 stands in for SIGTERM: the test runner may have its own use for SIGTERM and SIGINT.
import { describe, expect, it } from 'vitest';
import { catchStopSignals } from './stopSignals.ts';

describe('catchStopSignals', () => {
  it('resolves with the first signal, stays caught for a second, and lets go on release', async () => {
    const before = process.listenerCount('SIGUSR2');
    const stop = catchStopSignals(['SIGUSR2']);
    try {
      expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
      process.kill(process.pid, 'SIGUSR2');
      expect(await stop.received).toBe('SIGUSR2');
      // still caught: without a listener this second one would end the test process
      process.kill(process.pid, 'SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      stop.release();
    }
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});
