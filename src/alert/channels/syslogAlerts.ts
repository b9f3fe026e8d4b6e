// Alerts to syslog or the journal (whose /dev/log takes syslog lines): RFC 5424 through the one
// long-lived logger child of syslog.ts, with the priority taken from the severity.
import type { AlertChannel } from '../channel.ts';
import type { AlertSeverity } from '../model.ts';
import { type Severity, openSyslog } from './syslog.ts';

const PRIORITY: Record<AlertSeverity, Severity> = { info: 'info', warning: 'warning', critical: 'crit' };

export interface SyslogAlertOptions {
  socketPath?: string;
  tag?: string;
}

export function syslogChannel(options: SyslogAlertOptions = {}): AlertChannel & { close(): Promise<void> } {
  const log = openSyslog({ tag: options.tag ?? 'hostguard', rfc5424: true, ...(options.socketPath ? { socketPath: options.socketPath } : {}) });
  return {
    name: 'syslog',
    async send(alert, event) {
      const what = event === 'resolved' ? 'resolved' : alert.severity;
      log.write(event === 'resolved' ? 'notice' : PRIORITY[alert.severity], `${alert.type} ${what}: ${alert.title}: ${alert.message} (id ${alert.id})`);
    },
    close: () => log.close(),
  };
}
