// REST calls to the daemon (same origin): the token as a Bearer header, 401 reported to whoever
// shows the login prompt, and the API's error shape turned into a readable message.
import { readToken } from './token.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly path: string;

  constructor(status: number, path: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.path = path;
  }
}

type AuthListener = () => void;
const authListeners = new Set<AuthListener>();

// Called when the daemon answers 401: the app shows the login prompt.
export function onAuthRequired(listener: AuthListener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

function headers(): Record<string, string> {
  const token = readToken();
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}

async function errorMessage(response: Response, path: string): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) return `${path}: ${body.error.message}`;
  } catch {
    // not the API's JSON: the status says enough
  }
  return `${path}: HTTP ${response.status} ${response.statusText}`;
}

async function request<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, headers: headers(), cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, path, `${path}: the daemon does not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  if (response.status === 401) for (const listener of authListeners) listener();
  if (!response.ok) throw new ApiError(response.status, path, await errorMessage(response, path));
  return (await response.json()) as T;
}

export function apiGet<T>(path: string): Promise<T> {
  return request<T>('GET', path);
}

export function apiPost<T>(path: string): Promise<T> {
  return request<T>('POST', path);
}

// Builds a query string from the parameters that are set.
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

// The WebSocket URL of this page's daemon; a browser's WebSocket cannot send headers, so the token goes in the query.
export function liveUrl(location: { protocol: string; host: string }, token: string | undefined): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
}
