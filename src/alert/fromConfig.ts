// Builds the alert system's channels from the [alerts] configuration.
import type { AlertsConfig } from '../config/alerts.ts';
import type { DeliveryPolicy } from './channel.ts';
import { dbusChannel } from './channels/dbusAlerts.ts';
import { jsonFilesChannel } from './channels/jsonFiles.ts';
import { scriptChannel } from './channels/script.ts';
import { syslogChannel } from './channels/syslogAlerts.ts';
import { webhookChannel } from './channels/webhook.ts';
import type { NoiseSettings } from './noise.ts';
import type { ConfiguredChannel } from './system.ts';

interface DeliveryConfig {
  min_severity: DeliveryPolicy['minSeverity'];
  timeout: number;
  retries: number;
}

function policyOf(config: DeliveryConfig): DeliveryPolicy {
  return { minSeverity: config.min_severity, timeoutMs: config.timeout, retries: config.retries, backoffMs: 500 };
}

export function noiseFromConfig(config: AlertsConfig): NoiseSettings {
  const quiet = config.quiet_hours;
  return {
    rateLimitMs: config.rate_limit,
    maxPerMinute: config.max_per_minute,
    ...(quiet ? { quietHours: { startHour: quiet.start_hour, endHour: quiet.end_hour, minSeverity: quiet.min_severity } } : {}),
  };
}

export function channelsFromConfig(config: AlertsConfig): ConfiguredChannel[] {
  const channels: ConfiguredChannel[] = [];
  if (config.json_files) {
    const c = config.json_files;
    channels.push({ channel: jsonFilesChannel({ directory: c.directory, maxFiles: c.max_files, maxAgeSeconds: c.max_age / 1000 }), policy: policyOf(c) });
  }
  if (config.syslog) channels.push({ channel: syslogChannel({ socketPath: config.syslog.socket }), policy: policyOf(config.syslog) });
  if (config.dbus) channels.push({ channel: dbusChannel({ systemSignal: config.dbus.system_signal }), policy: policyOf(config.dbus) });
  if (config.script) channels.push({ channel: scriptChannel({ path: config.script.path }), policy: policyOf(config.script) });
  for (const hook of config.webhooks) {
    const options = { url: hook.url, format: hook.format, ...(hook.name ? { name: hook.name } : {}), ...(hook.hmac_secret ? { hmacSecret: hook.hmac_secret } : {}) };
    channels.push({ channel: webhookChannel(options), policy: policyOf(hook) });
  }
  return channels;
}
