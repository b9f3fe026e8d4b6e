// [alerts]: noise control and the delivery channels, each with its own minimum severity, timeout
// and retries. Channels are off until configured, except the WebSocket topic the daemon serves.
import { z } from 'zod';
import { durationSchema } from './duration.ts';

const severity = z.enum(['info', 'warning', 'critical']);

const delivery = {
  min_severity: severity.default('info').describe('only alerts at or above this severity go to this channel'),
  timeout: durationSchema('how long one delivery attempt may take', 60_000).prefault('5s'),
  retries: z.number().int().min(0).max(10).default(2).describe('further attempts after a transient failure, with doubling backoff'),
};

const webhookSchema = z.strictObject({
  name: z.string().min(1).optional().describe('how the channel is named in delivery statuses'),
  url: z.url({ protocol: /^https?$/ }).describe('where alerts are POSTed'),
  format: z.enum(['json', 'slack', 'discord']).default('json').describe('payload: hostguard JSON, or a Slack or Discord message'),
  hmac_secret: z.string().min(8).optional().describe('signs the body: header X-Hostguard-Signature: sha256=<hex>'),
  ...delivery,
});

const watchSchema = z.strictObject({
  name: z.string().min(1).describe('how the endpoint is named in the alert'),
  url: z.url({ protocol: /^https?$/ }).describe('fetched with GET; an answer 200-399 is up'),
  interval: durationSchema('time between checks', 86_400_000).prefault('30s'),
  timeout: durationSchema('how long one check may take', 60_000).prefault('5s'),
  failures: z.number().int().min(1).max(100).default(2).describe('failed checks in a row before SERVER_DOWN fires'),
});

export const alertsSchema = z.strictObject({
  rate_limit: durationSchema('the same alert (same de-duplication key) goes out at most once per this period', 86_400_000).prefault('60s'),
  max_per_minute: z.number().int().min(1).default(30).describe('above this many alerts in a minute, the rest are held back and one summary says how many'),
  quiet_hours: z
    .strictObject({
      start_hour: z.number().int().min(0).max(23).describe('local hour quiet time starts'),
      end_hour: z.number().int().min(0).max(23).describe('local hour it ends (may be before start: across midnight)'),
      min_severity: severity.default('critical').describe('what still goes out in quiet hours'),
    })
    .optional()
    .describe('optional quiet time for non-critical alerts'),
  json_files: z
    .strictObject({
      directory: z.string().min(1).describe('one JSON file per alert event, written atomically'),
      max_files: z.number().int().min(1).default(1000).describe('oldest files beyond this count are removed'),
      max_age: durationSchema('files older than this are removed (30 days by default)', 366 * 86_400_000).prefault('720h'),
      ...delivery,
    })
    .optional(),
  syslog: z.strictObject({ socket: z.string().default('/dev/log').describe('syslog or journald socket'), ...delivery }).optional(),
  dbus: z.strictObject({ system_signal: z.boolean().default(false).describe("also send earlyoom's system-bus signal"), ...delivery }).optional(),
  script: z.strictObject({ path: z.string().startsWith('/').describe('an executable: the alert in HOSTGUARD_ALERT_* and as JSON on stdin'), ...delivery }).optional(),
  webhooks: z.array(webhookSchema).default([]),
  watch: z.array(watchSchema).default([]).describe('HTTP endpoints to watch: SERVER_DOWN when one stops answering'),
});

export type AlertsConfig = z.output<typeof alertsSchema>;
