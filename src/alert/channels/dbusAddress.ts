// Parser for D-Bus server addresses (DBUS_SESSION_BUS_ADDRESS style) into the unix sockets to connect to.
import { type ParseResult, fail, ok } from '../../sys/result.ts';

export interface DbusSocketTarget {
  // The filesystem path, or the abstract name (without its leading NUL) when `abstract` is true.
  socketPath: string;
  abstract: boolean;
}

const ACCEPTED = "accepted: 'unix:path=/run/dbus/system_bus_socket' or 'unix:abstract=NAME', several joined by ';'";

// Values are escaped with %XX for any byte outside [-0-9A-Za-z_/.\*]; a bad escape makes the entry invalid.
function unescapeValue(value: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const char = value[i] ?? '';
    if (char !== '%') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const hex = value.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseEntry(entry: string): ParseResult<DbusSocketTarget> {
  const colon = entry.indexOf(':');
  if (colon <= 0) return fail(`'${entry}' has no transport prefix`);
  const transport = entry.slice(0, colon);
  const params = new Map<string, string>();
  for (const pair of entry.slice(colon + 1).split(',')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    if (equals <= 0) return fail(`'${pair}' in '${entry}' is not key=value`);
    const value = unescapeValue(pair.slice(equals + 1));
    if (value === undefined) return fail(`'${pair}' in '${entry}' has a malformed %XX escape`);
    params.set(pair.slice(0, equals), value);
  }
  if (transport !== 'unix') return fail(`transport '${transport}' in '${entry}' is not supported`);
  const path = params.get('path');
  const abstractName = params.get('abstract');
  if (path !== undefined && path !== '') return ok({ socketPath: path, abstract: false });
  if (abstractName !== undefined && abstractName !== '') return ok({ socketPath: abstractName, abstract: true });
  return fail(`'${entry}' names no path= or abstract= socket (dir=, tmpdir= and runtime= are for servers)`);
}

// Returns every entry a client can connect to, in the order given; fails when there is none.
export function parseDbusAddress(text: string): ParseResult<DbusSocketTarget[]> {
  const entries = text
    .trim()
    .split(';')
    .filter((entry) => entry !== '');
  if (entries.length === 0) return fail(`D-Bus address '${text}' is empty; ${ACCEPTED}`);
  const targets: DbusSocketTarget[] = [];
  const errors: string[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (parsed.ok) targets.push(parsed.value);
    else errors.push(parsed.error);
  }
  if (targets.length === 0) return fail(`D-Bus address '${text}' has no usable entry (${errors.join('; ')}); ${ACCEPTED}`);
  return ok(targets);
}
