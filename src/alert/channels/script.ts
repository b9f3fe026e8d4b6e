// Script hook: an executable run with the alert in HOSTGUARD_ALERT_* variables and as JSON on
// stdin, killed after the timeout; its exit status decides the delivery status.
import { spawn } from 'node:child_process';
import type { AlertChannel } from '../channel.ts';
import type { Alert, AlertEvent } from '../model.ts';

export interface ScriptOptions {
  path: string;
  name?: string;
}

export function alertEnvironment(alert: Alert, event: AlertEvent): Record<string, string> {
  return {
    HOSTGUARD_ALERT_EVENT: event,
    HOSTGUARD_ALERT_ID: alert.id,
    HOSTGUARD_ALERT_TYPE: alert.type,
    HOSTGUARD_ALERT_SEVERITY: alert.severity,
    HOSTGUARD_ALERT_STATE: alert.state,
    HOSTGUARD_ALERT_TITLE: alert.title,
    HOSTGUARD_ALERT_MESSAGE: alert.message,
    HOSTGUARD_ALERT_HOST: alert.host,
    HOSTGUARD_ALERT_TIME: new Date(alert.timeMs).toISOString(),
  };
}

export function scriptChannel(options: ScriptOptions): AlertChannel {
  return {
    name: options.name ?? `script:${options.path}`,
    send(alert, event, abort) {
      return new Promise((resolve, reject) => {
        const child = spawn(options.path, [], { env: { ...process.env, ...alertEnvironment(alert, event) }, stdio: ['pipe', 'ignore', 'pipe'], signal: abort, killSignal: 'SIGKILL' });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
        child.stdin.on('error', () => undefined);
        child.stdin.end(JSON.stringify({ event, alert }));
        child.on('error', (error) => reject(new Error(`${options.path}: ${error.message}`)));
        child.on('exit', (code, signal) => {
          if (code === 0) resolve();
          else reject(new Error(`${options.path} ${signal ? `was killed by ${signal}` : `exited with status ${code}`}${stderr ? `: ${stderr.trim()}` : ''}`));
        });
      });
    },
  };
}
