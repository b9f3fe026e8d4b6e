// The address the API listens on ("127.0.0.1:8080", "[::1]:8080", "localhost:0"), and whether it is loopback.
import { isIPv4, isIPv6 } from 'node:net';
import { type ParseResult, fail, ok } from '../sys/result.ts';

export interface ListenAddress {
  // an IPv4 or IPv6 address (without brackets) or a host name
  host: string;
  // 0 asks the kernel for a free port
  port: number;
}

const ACCEPTED = 'HOST:PORT such as "127.0.0.1:8080", "[::1]:8080" or "localhost:8080" (port 0 to 65535)';
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function parseListenAddress(text: string): ParseResult<ListenAddress> {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) return fail(`'${text.slice(0, 80)}' is not ${ACCEPTED}`);
  const bracketed = match[1];
  const host = bracketed ?? match[2] ?? '';
  if (bracketed !== undefined ? !isIPv6(host) : !(isIPv4(host) || HOSTNAME.test(host))) {
    return fail(`'${text.slice(0, 80)}': '${host.slice(0, 80)}' is not an IPv4 address, a bracketed IPv6 address or a host name; expected ${ACCEPTED}`);
  }
  return ok({ host, port });
}

export function formatListenAddress(address: ListenAddress): string {
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

// Loopback: 127.0.0.0/8, ::1, ::ffff:127.x.y.z and the name localhost. Any other name may resolve
// to a public address, so it counts as public.
export function isLoopback(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIPv4(lower)) return lower.startsWith('127.');
  if (!isIPv6(lower)) return false;
  // The URL parser writes IPv6 in its shortest form: 0:0:0:0:0:0:0:1 -> [::1], ::ffff:127.0.0.1 -> [::ffff:7f00:1].
  const normal = new URL(`http://[${lower}]/`).hostname;
  return normal === '[::1]' || normal.startsWith('[::ffff:7f');
}
