// Webhooks: a generic JSON POST, or Slack- and Discord-compatible payloads, optionally signed with
// HMAC-SHA256 over the body (header X-Hostguard-Signature: sha256=<hex>).
import { createHmac } from 'node:crypto';
import { type AlertChannel, TransientError } from '../channel.ts';
import type { Alert, AlertEvent } from '../model.ts';

export type WebhookFormat = 'json' | 'slack' | 'discord';

export interface WebhookOptions {
  name?: string;
  url: string;
  format?: WebhookFormat;
  hmacSecret?: string;
  headers?: Record<string, string>;
}

function headline(alert: Alert, event: AlertEvent): string {
  const prefix = event === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
  return `[${prefix}] ${alert.title} (${alert.host})`;
}

export function webhookBody(alert: Alert, event: AlertEvent, format: WebhookFormat): unknown {
  if (format === 'slack') return { text: `${headline(alert, event)}\n${alert.message}` };
  if (format === 'discord') return { content: `**${headline(alert, event)}**\n${alert.message}`.slice(0, 2000) };
  return { event, alert };
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhookChannel(options: WebhookOptions): AlertChannel {
  const format = options.format ?? 'json';
  return {
    name: options.name ?? `webhook:${new URL(options.url).host}`,
    async send(alert, event, abort) {
      const body = JSON.stringify(webhookBody(alert, event, format));
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.hmacSecret) headers['x-hostguard-signature'] = signature(options.hmacSecret, body);
      let response: Response;
      try {
        response = await fetch(options.url, { method: 'POST', body, headers, signal: abort });
      } catch (error) {
        // Connection refused, reset, DNS: worth another try.
        throw new TransientError(`POST ${options.url}: ${(error as Error).cause ? String((error as Error & { cause: unknown }).cause) : (error as Error).message}`);
      }
      await response.body?.cancel();
      if (response.ok) return;
      const message = `POST ${options.url}: HTTP ${response.status}`;
      // 5xx and 429 may pass; other 4xx will not.
      if (response.status >= 500 || response.status === 429) throw new TransientError(message);
      throw new Error(message);
    },
  };
}
