import { describe, expect, it } from 'vitest';
import { NoiseControl } from './noise.ts';

const MINUTE = 60_000;

describe('NoiseControl over a simulated hour', () => {
  it('sends one key at most once per rate limit', () => {
    const noise = new NoiseControl({ rateLimitMs: MINUTE, maxPerMinute: 1000 });
    let sent = 0;
    let limited = 0;
    for (let t = 0; t < 60 * MINUTE; t += 10_000) {
      const verdict = noise.judge('cpu', 'critical', t, 12);
      if (verdict.send) sent++;
      else if (verdict.reason === 'rate-limited') limited++;
    }
    expect(sent).toBe(60);
    expect(limited).toBe(300);
  });

  it('caps all keys per minute and reports how many it held back, once', () => {
    const noise = new NoiseControl({ rateLimitMs: MINUTE, maxPerMinute: 30 });
    const verdicts = Array.from({ length: 100 }, (_, i) => noise.judge(`key${i}`, 'warning', 1000 + i, 12));
    expect(verdicts.filter((v) => v.send).length).toBe(30);
    expect(verdicts.filter((v) => !v.send && v.reason === 'global-cap').length).toBe(70);
    expect(noise.takeSuppressed(30_000)).toBe(0);
    expect(noise.takeSuppressed(1000 + MINUTE)).toBe(70);
    expect(noise.takeSuppressed(1000 + 2 * MINUTE)).toBe(0);
  });

  it('lets only severe alerts through in quiet hours, across midnight', () => {
    const noise = new NoiseControl({ rateLimitMs: 0, maxPerMinute: 1000, quietHours: { startHour: 22, endHour: 7, minSeverity: 'critical' } });
    expect(noise.judge('a', 'warning', 0, 23)).toEqual({ send: false, reason: 'quiet-hours' });
    expect(noise.judge('b', 'warning', 0, 3)).toEqual({ send: false, reason: 'quiet-hours' });
    expect(noise.judge('c', 'critical', 0, 3)).toEqual({ send: true });
    expect(noise.judge('d', 'warning', 0, 7)).toEqual({ send: true });
  });

  it('forgets idle keys', () => {
    const noise = new NoiseControl({ rateLimitMs: MINUTE, maxPerMinute: 1000 });
    noise.judge('k', 'info', 0, 12);
    noise.prune(MINUTE);
    expect(noise.judge('k', 'info', MINUTE, 12)).toEqual({ send: true });
  });
});
