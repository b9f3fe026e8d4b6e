// Query parameter schemas: each validates text and says what it accepts, so a bad request gets a
// 400 naming the parameter; the same schemas document the parameters in the OpenAPI file.
import { z } from 'zod';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import { INSTANT_FORMS, parseInstant, parseSpan, SPAN_FORMS } from './timeParam.ts';

function fromParser<T>(parse: (text: string) => ParseResult<T>, description: string): z.ZodType<T, string> {
  return z
    .string()
    .transform((text, context) => {
      const result = parse(text);
      if (result.ok) return result.value;
      context.addIssue({ code: 'custom', message: result.error });
      return z.NEVER;
    })
    .describe(description);
}

export function instantParam(description: string, now: () => number): z.ZodType<number, string> {
  return fromParser((text) => parseInstant(text, now()), `${description}: ${INSTANT_FORMS}`);
}

export function spanParam(description: string): z.ZodType<number, string> {
  return fromParser((text) => {
    const span = parseSpan(text);
    return span.ok && span.value <= 0 ? fail(`'${text}' must be longer than 0`) : span;
  }, `${description}: ${SPAN_FORMS}`);
}

export function integerParam(description: string, min: number, max: number): z.ZodType<number, string> {
  return fromParser((text) => {
    const value = /^\d{1,9}$/.test(text.trim()) ? Number(text) : Number.NaN;
    return value >= min && value <= max ? ok(value) : fail(`'${text.slice(0, 40)}' is not a whole number from ${min} to ${max}`);
  }, `${description} (${min} to ${max})`);
}

export function enumParam<T extends string>(description: string, values: readonly T[]): z.ZodType<T, string> {
  return fromParser((text) => ((values as readonly string[]).includes(text) ? ok(text as T) : fail(`'${text.slice(0, 40)}' is not one of ${values.join(', ')}`)), `${description}: one of ${values.join(', ')}`);
}

export function listParam<T>(description: string, item: (text: string) => ParseResult<T>): z.ZodType<T[], string> {
  return fromParser((text) => {
    const values: T[] = [];
    for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      const result = item(part);
      if (!result.ok) return fail(result.error);
      values.push(result.value);
    }
    return ok(values);
  }, description);
}

export const hostParam = fromParser<string>((text) => (/^[A-Za-z0-9._-]{1,128}$/.test(text) ? ok(text) : fail(`'${text.slice(0, 40)}' is not a host id (letters, digits, ".", "_", "-")`)), 'fleet mode: the host to read (see /api/v1/hosts); default this host');

export interface ParamError {
  parameter?: string;
  message: string;
}

export type QueryResult = { ok: true; value: Record<string, string> } | { ok: false; error: ParamError };

// URLSearchParams to a plain object; a parameter given twice is an error, not a silent choice.
export function queryObject(search: string): QueryResult {
  const value: Record<string, string> = {};
  if (search === '') return { ok: true, value };
  for (const [name, text] of new URLSearchParams(search)) {
    if (Object.hasOwn(value, name)) return { ok: false, error: { parameter: name, message: `${name}: given more than once` } };
    value[name] = text;
  }
  return { ok: true, value };
}

export function describeParamIssue(issue: z.core.$ZodIssue, accepted: string[]): ParamError {
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0] ?? '';
    return { parameter: name, message: `unknown parameter '${name}'; this endpoint takes ${accepted.length === 0 ? 'no parameters' : accepted.join(', ')}` };
  }
  const name = String(issue.path[0] ?? '');
  return { parameter: name, message: `${name}: ${issue.message}` };
}

export interface BodyError {
  // the field at fault as a dotted path (labels.team, items.0.id); absent when the body as a whole is wrong
  field?: string;
  message: string;
}

export function describeBodyIssue(issue: z.core.$ZodIssue, accepted: string[]): BodyError {
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.map(String).join('.');
    const name = [prefix, issue.keys[0] ?? ''].filter((p) => p !== '').join('.');
    return { field: name, message: `unknown field '${name}'; the body takes ${accepted.length === 0 ? 'no fields' : accepted.join(', ')}` };
  }
  const field = issue.path.map(String).join('.');
  return field === '' ? { message: `body: ${issue.message}` } : { field, message: `${field}: ${issue.message}` };
}
