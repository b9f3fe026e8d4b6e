import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS, parseField, parseFields, seriesKey, toStored } from './series.ts';

describe('history fields', () => {
  it('are metric names, optionally with an entity after the first colon', () => {
    expect(parseField('memory_used_percent')).toEqual({ ok: true, value: { metric: 'memory_used_percent' } });
    expect(parseField('disk_used_percent:/mnt/a:b')).toEqual({ ok: true, value: { metric: 'disk_used_percent', entity: '/mnt/a:b' } });
    expect(seriesKey({ metric: 'disk_used_percent', entity: '/mnt/a:b' })).toBe('disk_used_percent:/mnt/a:b');
  });

  it('name the bad field and what is accepted', () => {
    const result = parseFields(['cpu_busy_percent', 'cpu_busy']);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^'cpu_busy' is not a history series; expected a metric name \(cpu_busy_percent, /);
  });

  it('default to the overview set, every name of which is valid', () => {
    expect(parseFields([])).toEqual({ ok: true, value: DEFAULT_FIELDS.map((metric) => ({ metric })) });
  });

  it('never throw on any text', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseField(text).ok === 'boolean'));
  });
});

describe('stored values', () => {
  it('keep the resolution the collectors report (0.01 %)', () => {
    for (const value of [23.69, 0.01, 99.99, 64.19]) expect(toStored(value, 100) / 100).toBe(value);
  });
});
