// --log-format pretty: a pino JSON line becomes "TIME LEVEL message key=value"; anything else passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prettyLine } from './pretty.ts';

describe('prettyLine', () => {
  it('writes time, level, message and the other fields, leaving out pid, hostname and name', () => {
    const line = JSON.stringify({ level: 'info', time: '2026-11-23T09:38:33.634Z', pid: 7, hostname: 'vm', name: 'hostguard', from: 'normal', to: 'intensive', reason: 'memory 83 %', intervalMs: 1000, msg: 'sampler normal -> intensive' });
    expect(prettyLine(`${line}\n`)).toBe('2026-11-23T09:38:33.634Z INFO  sampler normal -> intensive from=normal to=intensive reason="memory 83 %" intervalMs=1000\n');
  });

  it('puts an error stack on lines of its own', () => {
    const line = JSON.stringify({ level: 'error', time: 't', msg: 'request failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' } });
    expect(prettyLine(line)).toBe('t ERROR request failed\nError: boom\n    at x\n');
  });

  it('passes text that is not a JSON object as it is, and never throws', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
    expect(prettyLine('[1,2]')).toBe('[1,2]\n');
    fc.assert(fc.property(fc.string(), (text) => typeof prettyLine(text) === 'string'));
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => prettyLine(JSON.stringify(record)).endsWith('\n')));
  });
});
