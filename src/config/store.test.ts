import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRetention, retentionSettingsSchema, storeSchema } from './store.ts';

describe('[retention]', () => {
  it('defaults to 7, 30 and 365 days for the tiers, 30 days for events and 365 for alerts', () => {
    expect(retentionSettingsSchema.parse({})).toEqual({ rawSeconds: 7 * 86_400, minuteSeconds: 30 * 86_400, hourSeconds: 365 * 86_400, eventSeconds: 30 * 86_400, alertSeconds: 365 * 86_400 });
  });

  it('takes days, hours and seconds', () => {
    expect(retentionSettingsSchema.parse({ raw: '36h', minute: '14d', hour: 86_400 * 100, events: '2d', alerts: 7200 })).toEqual({
      rawSeconds: 36 * 3600,
      minuteSeconds: 14 * 86_400,
      hourSeconds: 100 * 86_400,
      eventSeconds: 2 * 86_400,
      alertSeconds: 7200,
    });
  });

  it('keeps events and alerts independently of the tiers, within 1h to 3650d', () => {
    expect(retentionSettingsSchema.parse({ raw: '1d', minute: '2d', hour: '3d', events: '400d', alerts: '1h' })).toMatchObject({ eventSeconds: 400 * 86_400, alertSeconds: 3600 });
    expect(retentionSettingsSchema.safeParse({ events: '30m' }).error?.issues[0]).toMatchObject({ path: ['events'], message: '30m is outside 1h to 3650d' });
    expect(retentionSettingsSchema.safeParse({ alerts: 'for ever' }).error?.issues[0]).toMatchObject({ path: ['alerts'], message: `'for ever' is not a retention period such as "7d", "36h" or "90m"` });
  });

  it('names the bad value and what would be accepted', () => {
    const result = retentionSettingsSchema.safeParse({ raw: '7 weeks' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(`'7 weeks' is not a retention period such as "7d", "36h" or "90m"`);
    expect(retentionSettingsSchema.safeParse({ raw: '40d' }).error?.issues[0]?.message).toMatch(/raw <= minute <= hour/);
  });

  it('never throws on any text', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseRetention(text).ok === 'boolean'));
  });
});

describe('[store]', () => {
  it('defaults to ./data/hostguard.db and a 15-minute recent window', () => {
    expect(storeSchema.parse({})).toEqual({ path: './data/hostguard.db', recent_window: 900_000 });
  });

  it('accepts only PostgreSQL URLs', () => {
    expect(storeSchema.parse({ url: 'postgres://h@db/x' }).url).toBe('postgres://h@db/x');
    expect(storeSchema.safeParse({ url: 'mysql://db/x' }).error?.issues[0]?.message).toBe('must be a postgres:// or postgresql:// URL');
  });
});
