// The per-channel work queue: order, the bound on work in flight, the bounded backlog.
import { describe, expect, it } from 'vitest';
import { WorkQueue } from './queue.ts';

describe('WorkQueue', () => {
  it('runs at most `concurrency` at once and starts the rest in arrival order, across compactions', async () => {
    const queue = new WorkQueue({ concurrency: 3, maxQueued: 10_000 });
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        queue.run(
          async () => {
            started.push(i);
            peak = Math.max(peak, ++running);
            await Promise.resolve();
            running--;
            return i;
          },
          () => -1,
        ),
      ),
    );
    expect(peak).toBe(3);
    expect(started).toEqual(results);
    expect(started).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(queue.backlog).toBe(0);
  });

  it('answers with overflow() at once when the backlog is full', async () => {
    const queue = new WorkQueue({ concurrency: 1, maxQueued: 2 });
    let release = (): void => undefined;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run(() => blocker.then(() => 'first'), () => 'overflow');
    const waiting = [queue.run(async () => 'second', () => 'overflow'), queue.run(async () => 'third', () => 'overflow')];
    expect(await queue.run(async () => 'fourth', () => 'overflow')).toBe('overflow');
    expect(queue.backlog).toBe(2);
    release();
    expect(await Promise.all([first, ...waiting])).toEqual(['first', 'second', 'third']);
  });
});
