import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/load.ts';
import { channelsFromConfig, noiseFromConfig } from './fromConfig.ts';

describe('alerts from configuration', () => {
  it('builds each configured channel with its delivery policy', () => {
    const parsed = parseConfigText(
      `[alerts]\nrate_limit = "2m"\nmax_per_minute = 10\n[alerts.quiet_hours]\nstart_hour = 22\nend_hour = 7\n[alerts.json_files]\ndirectory = "/tmp/x"\nmin_severity = "warning"\n[[alerts.webhooks]]\nname = "ops"\nurl = "http://127.0.0.1:9/hook"\nformat = "slack"\ntimeout = "2s"\nretries = 4\n`,
      'test.toml',
    );
    if (!parsed.ok) throw new Error(parsed.error);
    const channels = channelsFromConfig(parsed.value.alerts);
    expect(channels.map((c) => c.channel.name)).toEqual(['json-files', 'ops']);
    expect(channels[0]?.policy).toMatchObject({ minSeverity: 'warning', timeoutMs: 5000, retries: 2 });
    expect(channels[1]?.policy).toMatchObject({ minSeverity: 'info', timeoutMs: 2000, retries: 4 });
    expect(noiseFromConfig(parsed.value.alerts)).toEqual({ rateLimitMs: 120_000, maxPerMinute: 10, quietHours: { startHour: 22, endHour: 7, minSeverity: 'critical' } });
  });

  it('has no channels by default', () => {
    const parsed = parseConfigText('', 'empty.toml');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(channelsFromConfig(parsed.value.alerts)).toEqual([]);
  });

  it('names the file, key and reason of a bad value', () => {
    const parsed = parseConfigText('[[alerts.webhooks]]\nurl = "ftp://example.org/x"\n', 'bad.toml');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/^bad\.toml: alerts\.webhooks\[0\]\.url: /);
  });
});
