// Parser for os-release(5): shell-like KEY=value lines, values optionally quoted.
import { type ParseResult, fail, ok } from './result.ts';

export interface OsRelease {
  id: string;
  name: string;
  prettyName: string;
  versionId?: string;
  // every key as read, for fields not named above
  fields: Record<string, string>;
}

function unquote(raw: string): string | undefined {
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) return raw.slice(1, -1).replace(/\\([$"\\`])/g, '$1');
  return /^[^\s'"`$\\]*$/.test(raw) ? raw : undefined;
}

export function parseOsRelease(text: string): ParseResult<OsRelease> {
  const fields: Record<string, string> = {};
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    const value = match?.[2] === undefined ? undefined : unquote(match[2]);
    if (!match?.[1] || value === undefined) return fail(`os-release: line '${line.slice(0, 60)}' is not KEY=value`);
    fields[match[1]] = value;
  }
  // Defaults from os-release(5) for the keys a file may omit.
  const name = fields['NAME'] ?? 'Linux';
  const versionId = fields['VERSION_ID'];
  return ok({
    id: fields['ID'] ?? 'linux',
    name,
    prettyName: fields['PRETTY_NAME'] ?? name,
    ...(versionId === undefined ? {} : { versionId }),
    fields,
  });
}
