// Loads the TOML configuration file and validates it; every error names the file, the key and the reason.
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import { type Config, configSchema } from './schema.ts';

// anomaly.rules[2].metric, the way a person finds it in the file.
function keyPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((key, part) => (typeof part === 'number' ? `${key}[${part}]` : key === '' ? String(part) : `${key}.${String(part)}`), '');
}

// A value that fits no variant of a union (a rule that is neither a valid threshold nor a valid
// spike rule): report the variant it came closest to, the one with the fewest complaints.
function closestVariant(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
  return best.flatMap((inner) => closestVariant({ ...inner, path: [...issue.path, ...inner.path] }));
}

// Names where the value at a key path came from: the file, an environment variable or a flag.
export type SourceOf = (path: ReadonlyArray<PropertyKey>) => string;

function describeIssue(sourceOf: SourceOf, issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) return closestVariant(issue).map((inner) => describeIssue(sourceOf, inner)).join('\n');
  const key = keyPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((name) => `${sourceOf([...issue.path, name])}: ${key === '' ? name : `${key}.${name}`}: unknown key`).join('\n');
  }
  return `${sourceOf(issue.path)}: ${key === '' ? '(top level)' : key}: ${issue.message}`;
}

// The TOML document as plain data, or the line and column of the syntax error.
export function parseToml(text: string, file: string): ParseResult<Record<string, unknown>> {
  try {
    return ok(parse(text));
  } catch (error) {
    if (error instanceof TomlError) return fail(`${file}:${error.line}:${error.column}: ${error.message.split('\n')[0] ?? 'invalid TOML'}`);
    throw error;
  }
}

// Validates a document (the file's, with environment and flags laid over it); every problem, one a line.
export function validateConfig(document: unknown, sourceOf: SourceOf): ParseResult<Config> {
  const result = configSchema.safeParse(document);
  if (!result.success) return fail(result.error.issues.map((issue) => describeIssue(sourceOf, issue)).join('\n'));
  return ok(result.data);
}

export function parseConfigText(text: string, file: string): ParseResult<Config> {
  const document = parseToml(text, file);
  return document.ok ? validateConfig(document.value, () => file) : document;
}

export function loadConfig(file: string): ParseResult<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`${file}: cannot be read (${error instanceof Error && 'code' in error ? String(error.code) : String(error)})`);
  }
  return parseConfigText(text, file);
}
