// Webhooks: a generic JSON POST, or Slack- and Discord-compatible payloads, optionally signed with
// HMAC-SHA256 over the body (header X-Hostguard-Signature: sha256=<hex>); retried on connection
// errors, HTTP 5xx and 429.
import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

// One POST over node:http(s) with a keep-alive agent per channel. Not fetch(): its WHATWG streams
// cost about 0.8 ms of the alert thread per POST in a storm (bench/alerts.ts, --channels webhook).
// Resolves with the status code; rejects with the connection's error, or the abort's reason.
function post(url: URL, body: string, headers: Record<string, string>, agent: HttpAgent, abort: AbortSignal): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent, signal: abort }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export function webhookChannel(options: WebhookOptions): AlertChannel & { close(): Promise<void> } {
  const format = options.format ?? 'json';
  const url = new URL(options.url);
  // Kept-alive connections, at most as many as the channel's deliveries in flight.
  const agent = url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 8 }) : new HttpAgent({ keepAlive: true, maxSockets: 8 });
  return {
    name: options.name ?? `webhook:${url.host}`,
    async send(alert, event, abort) {
      const body = JSON.stringify(webhookBody(alert, event, format));
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.hmacSecret) headers['x-hostguard-signature'] = signature(options.hmacSecret, body);
      let status: number;
      try {
        status = await post(url, body, headers, agent, abort);
      } catch (error) {
        // Connection refused, reset, DNS: worth another try.
        throw new TransientError(`POST ${options.url}: ${(error as Error).message}`);
      }
      if (status >= 200 && status < 300) return;
      const message = `POST ${options.url}: HTTP ${status}`;
      // 5xx and 429 may pass; other 4xx will not.
      if (status >= 500 || status === 429) throw new TransientError(message);
      throw new Error(message);
    },
    close: async () => agent.destroy(),
  };
}
