import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../test/helpers/memoryWorld.ts';
import { DutyCycle, type Switch } from './dutyCycle.ts';
import type { Outcome } from './processOps.ts';

// A switch over a flag, logging each change with the simulated time.
function flagSwitch(clock: SimClock) {
  const log: string[] = [];
  const state = { stopped: false, gone: false };
  const sw: Switch = {
    stop: (): Outcome => {
      if (state.gone) return { result: 'gone' };
      state.stopped = true;
      log.push(`${clock.now} stop`);
      return { result: 'ok' };
    },
    cont: (): Outcome => {
      if (state.gone) return { result: 'gone' };
      state.stopped = false;
      log.push(`${clock.now} cont`);
      return { result: 'ok' };
    },
    isStopped: () => (state.gone ? undefined : state.stopped),
  };
  return { sw, log, state };
}

describe('DutyCycle', () => {
  it('starts with a stop, alternates run and stop phases, and counts the time stopped', () => {
    const clock = new SimClock();
    const { sw, log } = flagSwitch(clock);
    const cycle = new DutyCycle(sw, clock, () => undefined);
    cycle.apply({ runMs: 25, stopMs: 75 });
    clock.advanceTo(250);
    expect(log).toEqual(['0 stop', '75 cont', '100 stop', '175 cont', '200 stop']);
    expect(cycle.stoppedMs()).toBe(75 + 75 + 50);
  });

  it('holds the first stop of a pause for max_pause, then runs the short periods', () => {
    const clock = new SimClock();
    const { sw, log } = flagSwitch(clock);
    new DutyCycle(sw, clock, () => undefined).apply({ runMs: 10, stopMs: 90, firstStopMs: 2000 });
    clock.advanceTo(2150);
    expect(log).toEqual(['0 stop', '2000 cont', '2010 stop', '2100 cont', '2110 stop']);
  });

  it('leaves a running cycle alone when the same phases come again, and continues the target on dispose', () => {
    const clock = new SimClock();
    const { sw, log, state } = flagSwitch(clock);
    const cycle = new DutyCycle(sw, clock, () => undefined);
    cycle.apply({ runMs: 50, stopMs: 50 });
    clock.advanceTo(30);
    cycle.apply({ runMs: 50, stopMs: 50 });
    clock.advanceTo(60);
    expect(log).toEqual(['0 stop', '50 cont']);
    clock.advanceTo(120);
    expect(cycle.dispose()).toEqual({ result: 'ok' });
    expect(state.stopped).toBe(false);
    clock.advanceTo(500);
    expect(log).toEqual(['0 stop', '50 cont', '100 stop', '120 cont']);
  });

  it('reports a target that vanished and stops cycling it', () => {
    const clock = new SimClock();
    const { sw, log, state } = flagSwitch(clock);
    const problems: string[] = [];
    const cycle = new DutyCycle(sw, clock, (p) => problems.push(p.result));
    cycle.apply({ runMs: 50, stopMs: 50 });
    state.gone = true;
    clock.advanceTo(500);
    expect(problems).toEqual(['gone']);
    expect(log).toEqual(['0 stop']);
    expect(cycle.stopped).toBe(false);
  });

  it('stops again a target found running in a stop phase, after the grace period', () => {
    const clock = new SimClock();
    const { sw, state } = flagSwitch(clock);
    const cycle = new DutyCycle(sw, clock, () => undefined);
    cycle.apply({ runMs: 10, stopMs: 90, firstStopMs: 2000 });
    state.stopped = false;
    clock.advanceTo(100);
    cycle.verify();
    expect(cycle.interferences).toBe(0);
    clock.advanceTo(300);
    cycle.verify();
    expect([cycle.interferences, state.stopped]).toEqual([1, true]);
  });
});
