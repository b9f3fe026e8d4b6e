import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from './reorder.ts';

describe('ReorderBuffer', () => {
  it('holds an item until every CPU has been heard from past it', () => {
    const buffer = new ReorderBuffer<string>(2);
    buffer.heard(1, 30);
    buffer.push(30, 'exit on cpu 1');
    expect(buffer.release()).toEqual([]);
    buffer.heard(0, 20);
    buffer.push(20, 'exec on cpu 0');
    expect(buffer.release()).toEqual(['exec on cpu 0']);
    buffer.heard(0, 35);
    expect(buffer.release()).toEqual(['exit on cpu 1']);
  });

  it('lets an item go once it is maxLatenessNs behind the newest record (a silent CPU)', () => {
    const buffer = new ReorderBuffer<string>(2, 100);
    buffer.heard(0, 10);
    buffer.push(10, 'a');
    buffer.heard(0, 105);
    expect(buffer.release()).toEqual([]);
    buffer.heard(0, 111);
    expect(buffer.release()).toEqual(['a']);
  });

  it('drains everything in time order, equal times in arrival order', () => {
    const buffer = new ReorderBuffer<string>(4);
    buffer.push(5, 'b');
    buffer.push(1, 'a');
    buffer.push(5, 'c');
    expect(buffer.drain()).toEqual(['a', 'b', 'c']);
    expect(buffer.size).toBe(0);
  });

  it('merges per-CPU streams that are each in order into one ordered stream, losing nothing (property)', () => {
    const stream = fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 50 }).map((gaps) => gaps.reduce<number[]>((times, gap) => [...times, (times.at(-1) ?? 0) + gap], []));
    fc.assert(
      fc.property(fc.tuple(stream, stream, stream), fc.array(fc.nat(2), { maxLength: 200 }), (streams, order) => {
        const buffer = new ReorderBuffer<number>(3, Number.MAX_SAFE_INTEGER);
        const next = [0, 0, 0];
        const out: number[] = [];
        // interleave the streams in an arbitrary order, as bpftrace's reads of per-CPU buffers do
        const picks = [...order, ...streams.flatMap((s, cpu) => s.map(() => cpu))];
        for (const cpu of picks) {
          const time = streams[cpu]?.[next[cpu] ?? 0];
          if (time === undefined) continue;
          next[cpu] = (next[cpu] ?? 0) + 1;
          buffer.heard(cpu, time);
          buffer.push(time, time);
          out.push(...buffer.release());
        }
        out.push(...buffer.drain());
        const all = streams.flat().sort((a, b) => a - b);
        expect(out).toEqual(all);
      }),
    );
  });
});
