// The configuration from its layers: defaults < file < environment HOSTGUARD_* < command-line flags.
// Every key of the file can be set as HOSTGUARD_<SECTION>_<KEY> (HOSTGUARD_API_LISTEN,
// HOSTGUARD_RETENTION_RAW); an error names the layer the bad value came from.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import { parseToml, validateConfig } from './load.ts';
import { type Config, configSections } from './schema.ts';

export const CONFIG_SEARCH_PATHS = ['hostguard.toml', '/etc/hostguard/config.toml'];

// Short names people expect, besides the generic HOSTGUARD_API_TOKEN and HOSTGUARD_API_WEB_DIR.
const ENV_ALIASES: Record<string, string[]> = { HOSTGUARD_TOKEN: ['api', 'token'], HOSTGUARD_WEB_DIR: ['api', 'web_dir'] };
// HOSTGUARD_* variables that are not configuration keys: the file, the launcher's switch, and what
// the alert script channel hands to its scripts (HOSTGUARD_ALERT_*), which may run hostguard again.
const ENV_OTHER = new Set(['HOSTGUARD_CONFIG', 'HOSTGUARD_FROM_SOURCE']);
const ENV_OTHER_PREFIX = 'HOSTGUARD_ALERT_';

export interface FlagValue {
  path: string[];
  value: unknown;
  // the flag as the person typed it, e.g. --listen
  flag: string;
}

export interface ConfigRequest {
  // --config: must exist; else HOSTGUARD_CONFIG, else the first of searchPaths that exists
  file?: string;
  env: Record<string, string | undefined>;
  flags: FlagValue[];
  searchPaths?: string[];
}

export interface ResolvedConfig {
  config: Config;
  // the file read, if any
  file?: string;
}

type LeafKind = 'string' | 'number' | 'boolean' | 'list' | 'duration';

interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

function leafKind(schema: JsonSchema): LeafKind | undefined {
  // durations are a number of seconds or text such as "5m"
  if (Array.isArray(schema.type)) return schema.type.includes('number') ? 'duration' : 'string';
  if (schema.anyOf) return schema.anyOf.some((s) => s.type === 'number') ? 'duration' : 'string';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'number' || schema.type === 'integer') return 'number';
  if (schema.type === 'string') return 'string';
  if (schema.type === 'array' && schema.items?.type === 'string') return 'list';
  return undefined;
}

function collectLeaves(path: string[], schema: JsonSchema, into: Map<string, { path: string[]; kind: LeafKind }>): void {
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.properties) {
      collectLeaves([...path, key], property, into);
      continue;
    }
    const kind = leafKind(property);
    if (kind) into.set(`HOSTGUARD_${[...path, key].join('_').toUpperCase()}`, { path: [...path, key], kind });
  }
}

// Every variable name and the key it sets, from the schemas.
export function environmentVariables(): Map<string, { path: string[]; kind: LeafKind }> {
  const leaves = new Map<string, { path: string[]; kind: LeafKind }>();
  for (const [name, schema] of Object.entries(configSections) as Array<[string, z.ZodType]>) {
    collectLeaves([name], z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, leaves);
  }
  for (const [alias, path] of Object.entries(ENV_ALIASES)) leaves.set(alias, { path, kind: 'string' });
  return leaves;
}

const BOOLEANS: Record<string, boolean> = { '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };

// Text to the type the key takes; text that does not fit stays text, so the schema names the problem.
function convert(text: string, kind: LeafKind): unknown {
  const trimmed = text.trim();
  const numeric = trimmed !== '' && Number.isFinite(Number(trimmed));
  if (kind === 'boolean') return BOOLEANS[trimmed.toLowerCase()] ?? text;
  if (kind === 'number' || kind === 'duration') return numeric ? Number(trimmed) : text;
  if (kind === 'list') return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
  return text;
}

function setPath(document: Record<string, unknown>, path: string[], value: unknown): void {
  let table = document;
  for (const key of path.slice(0, -1)) {
    const next = table[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) table[key] = {};
    table = table[key] as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last !== undefined) table[last] = value;
}

function chooseFile(request: ConfigRequest): { file?: string; label: string } {
  if (request.file !== undefined) return { file: request.file, label: request.file };
  const fromEnv = request.env['HOSTGUARD_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') return { file: fromEnv, label: fromEnv };
  const found = (request.searchPaths ?? CONFIG_SEARCH_PATHS).find((path) => existsSync(path));
  return found === undefined ? { label: 'defaults' } : { file: found, label: found };
}

function readDocument(file: string | undefined): ParseResult<Record<string, unknown>> {
  if (file === undefined) return ok({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`${file}: cannot be read (${error instanceof Error && 'code' in error ? String(error.code) : String(error)})`);
  }
  return parseToml(text, file);
}

export function resolveConfig(request: ConfigRequest): ParseResult<ResolvedConfig> {
  const { file, label } = chooseFile(request);
  const document = readDocument(file);
  if (!document.ok) return document;
  const origins = new Map<string, string>();
  const errors: string[] = [];
  const variables = environmentVariables();
  for (const [name, text] of Object.entries(request.env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith('HOSTGUARD_') || ENV_OTHER.has(name) || name.startsWith(ENV_OTHER_PREFIX) || text === undefined) continue;
    const leaf = variables.get(name);
    if (!leaf) {
      errors.push(`environment ${name}: not a configuration variable; they are HOSTGUARD_<SECTION>_<KEY> for the keys of docs/hostguard.example.toml, such as HOSTGUARD_API_LISTEN`);
      continue;
    }
    setPath(document.value, leaf.path, convert(text, leaf.kind));
    origins.set(leaf.path.join('.'), `environment ${name}`);
  }
  for (const flag of request.flags) {
    setPath(document.value, flag.path, flag.value);
    origins.set(flag.path.join('.'), flag.flag);
  }
  // The longest key path with an origin of its own names the source; everything else came from the file.
  const sourceOf = (path: ReadonlyArray<PropertyKey>): string => {
    for (let length = path.length; length > 0; length--) {
      const origin = origins.get(path.slice(0, length).map(String).join('.'));
      if (origin !== undefined) return origin;
    }
    return label;
  };
  const config = validateConfig(document.value, sourceOf);
  if (!config.ok) errors.push(config.error);
  if (errors.length > 0 || !config.ok) return fail(errors.join('\n'));
  return ok({ config: config.value, ...(file === undefined ? {} : { file }) });
}
