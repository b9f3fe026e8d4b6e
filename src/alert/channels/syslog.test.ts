import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Severity, formatLines, priority } from './syslog.ts';

const severities: Severity[] = ['debug', 'info', 'notice', 'warning', 'err', 'crit'];

describe('syslog line format', () => {
  it('uses facility daemon (3) and the syslog(3) severity codes', () => {
    expect(severities.map(priority)).toEqual([31, 30, 29, 28, 27, 26]);
  });

  it('prefixes every line of a multi-line message, so none reaches logger without a priority', () => {
    expect(formatLines('err', 'first\nsecond\r\nthird')).toBe('<27>first\n<27>second\n<27>third\n');
  });

  it('keeps a message that itself starts with <N> after the prefix', () => {
    expect(formatLines('info', '<5>not a priority')).toBe('<30><5>not a priority\n');
  });

  it('turns any message into prefixed lines only', () => {
    fc.assert(
      fc.property(fc.constantFrom(...severities), fc.string({ unit: 'binary' }), (severity, message) => {
        const lines = formatLines(severity, message).split('\n');
        expect(lines.pop()).toBe('');
        for (const line of lines) expect(line.startsWith(`<${priority(severity)}>`)).toBe(true);
      }),
    );
  });
});
