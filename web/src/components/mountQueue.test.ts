// The chart build queue: the first at once, the rest one per task in order, cancelled ones skipped.
import { describe, expect, it } from 'vitest';
import { queueMount } from './mountQueue.ts';

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('queueMount', () => {
  it('runs the first task at once and each further one in a later task, in order', async () => {
    const ran: string[] = [];
    queueMount(() => ran.push('a'));
    queueMount(() => ran.push('b'));
    queueMount(() => ran.push('c'));
    expect(ran).toEqual(['a']);
    await nextTask();
    expect(ran).toEqual(['a', 'b']);
    await nextTask();
    expect(ran).toEqual(['a', 'b', 'c']);
    // drained: the next one runs at once again
    await nextTask();
    queueMount(() => ran.push('d'));
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
  });

  it('skips a cancelled task, and keeps going after one that throws', async () => {
    const ran: string[] = [];
    // the queue is drained by then (the first test's last task was a task ago)
    await nextTask();
    expect(() =>
      queueMount(() => {
        throw new Error('broken chart');
      }),
    ).toThrow('broken chart');
    const cancel = queueMount(() => ran.push('cancelled'));
    queueMount(() => ran.push('kept'));
    cancel();
    await nextTask();
    await nextTask();
    await nextTask();
    expect(ran).toEqual(['kept']);
  });
});
