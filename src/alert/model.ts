// The alert model: what happened, how bad, where, and the values that made it fire.
export const ALERT_TYPES = [
  'RESOURCE_CRITICAL',
  'ANOMALY',
  'PROCESS_KILLED',
  'PROCESS_THROTTLED',
  'DISK_FULL',
  'USB_TIMEOUT',
  'COLLECTOR_FAILED',
  'SERVER_DOWN',
  'OOM_KILL',
  'TEST',
  'SUPPRESSED_SUMMARY',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export type AlertSeverity = 'info' | 'warning' | 'critical';
export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 1, warning: 2, critical: 3 };

export type AlertState = 'firing' | 'resolved' | 'acknowledged';

export interface Alert {
  id: string;
  type: AlertType;
  severity: AlertSeverity;
  title: string;
  message: string;
  host: string;
  // milliseconds since the Unix epoch
  timeMs: number;
  // The values that triggered it (metric readings, the victim's pid and name, ...).
  context: Record<string, unknown>;
  // Alerts with the same key are one alert: repeats are counted, not sent again.
  dedupKey: string;
  state: AlertState;
  // How many times it fired again within the rate limit, not sent.
  repeatCount: number;
  resolvedMs?: number;
  acknowledgedMs?: number;
}

// What a channel is told: an alert fired, or one it was told about earlier has resolved.
export type AlertEvent = 'fired' | 'resolved';

export interface NewAlert {
  type: AlertType;
  severity: AlertSeverity;
  title: string;
  message: string;
  context?: Record<string, unknown>;
  // Defaults to type + title.
  dedupKey?: string;
}

export function atLeast(severity: AlertSeverity, minimum: AlertSeverity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[minimum];
}
