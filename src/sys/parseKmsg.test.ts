import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKmsgRecord, splitKmsgRecords } from './parseKmsg.ts';

const realLog = readFileSync(new URL('../../test/fixtures/collect-kmsg/boot-real.txt', import.meta.url), 'utf8');

describe('parseKmsgRecord', () => {
  it('parses every record captured from this machine', () => {
    const { records, rest } = splitKmsgRecords(realLog);
    expect(rest).toBe('');
    const parsed = records.map(parseKmsgRecord);
    expect(parsed.every((r) => r.ok)).toBe(true);
    expect(parsed[0]).toMatchObject({ ok: true, value: { level: 5, facility: 0, sequence: 0, monotonicSeconds: 0, flag: '-', message: expect.stringMatching(/^Linux version /) } });
    const withDictionary = parsed.find((r) => r.ok && r.value.properties['SUBSYSTEM'] === 'acpi');
    expect(withDictionary).toMatchObject({ ok: true, value: { sequence: 190, monotonicSeconds: 0.183986, properties: { DEVICE: '+acpi:PNP0A08:00' } } });
  });

  it('splits priority into level and facility and unescapes \\xNN', () => {
    expect(parseKmsgRecord('12,7,1500000,c;a\\x5cb \\x1b;x')).toEqual({
      ok: true,
      value: { level: 4, facility: 1, sequence: 7, monotonicSeconds: 1.5, flag: 'c', message: 'a\\b \u001b;x', properties: {} },
    });
  });

  it('accepts extra header fields after the flags (newer kernels add caller ids)', () => {
    expect(parseKmsgRecord('6,8,9,-,caller=T1;hello')).toMatchObject({ ok: true, value: { message: 'hello', flag: '-' } });
  });

  it('rejects a line without the header', () => {
    expect(parseKmsgRecord('usb 1-1: hello')).toMatchObject({ ok: false });
    expect(parseKmsgRecord('x,1,2,-;m')).toMatchObject({ ok: false });
  });

  it('keeps an unterminated trailing record for the next read', () => {
    expect(splitKmsgRecords('6,1,2,-;a\n SUBSYSTEM=usb\n6,2,3,-;par')).toEqual({ records: ['6,1,2,-;a\n SUBSYSTEM=usb'], rest: '6,2,3,-;par' });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseKmsgRecord(text).ok === 'boolean' && Array.isArray(splitKmsgRecords(text).records)));
  });
});
