import { describe, expect, it } from 'vitest';
import { MiB, World, fakeTarget } from '../../../test/helpers/memoryWorld.ts';
import type { GuardEvent } from '../events.ts';
import { TargetState } from './targetState.ts';

// The target is a simulated worker (test/helpers/memoryWorld.ts): its stop, continue and nice are flags.
function stateFor(events: GuardEvent[]): { state: TargetState; worker: NonNullable<World['workers'][number]> } {
  const world = new World(768 * MiB, 20 * MiB, [{ startMs: 0, waveBytes: 320 * MiB, bytesPerMs: MiB, holdMs: 1000, waves: 1 }]);
  const worker = world.workers[0];
  if (!worker) throw new Error('no worker');
  const state = new TargetState(fakeTarget(worker), { timers: world.clock, emit: (e) => events.push(e), maxPauseMs: 2000, source: 'graduated', journal: () => undefined, niceValue: 10 });
  return { state, worker };
}

describe('TargetState', () => {
  it('gives a target its priority back when its plan stops lowering it (promoted to leader), and says so', () => {
    const events: GuardEvent[] = [];
    const { state, worker } = stateFor(events);
    state.apply({ mode: 'pause', dutyPercent: 10, lowerPriority: true }, 'other', { level: 'WARNING', reason: 'level WARNING' });
    expect([worker.stopped, worker.niceValue, state.state]).toEqual([true, 10, 'paused']);
    state.apply({ mode: 'run', dutyPercent: 100, lowerPriority: false }, 'leader', { level: 'WARNING', reason: 'level WARNING' });
    expect([worker.stopped, worker.niceValue, state.state]).toEqual([false, 0, 'normal']);
    const renices = events.filter((e) => e.type === 'renice').map((e) => e.type === 'renice' && [e.fromNice, e.toNice, e.reason]);
    expect(renices).toEqual([
      [0, 10, 'level WARNING'],
      [10, 0, 'level WARNING, leader'],
    ]);
    // Lowered again later (it stopped leading), and restored once at NORMAL.
    state.apply({ mode: 'pause', dutyPercent: 10, lowerPriority: true }, 'other', { level: 'WARNING', reason: 'level WARNING' });
    expect(worker.niceValue).toBe(10);
    state.restore('level NORMAL');
    expect([worker.stopped, worker.niceValue, state.state]).toEqual([false, 0, 'normal']);
  });
});
