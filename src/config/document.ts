// The documented example configuration, generated from the schemas (run this file to print it):
// every key with its description and default, so the documentation cannot drift from the code.
import { z } from 'zod';
import { DEFAULT_RULES } from './anomaly.ts';
import { configSections } from './schema.ts';

interface JsonSchema {
  description?: string;
  default?: unknown;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema & { anyOf?: JsonSchema[] };
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

const SECTION_TITLES: Record<keyof typeof configSections, string> = {
  collectors: 'Collectors: each can be switched off; consumers iterate over those that run.',
  sampler: 'The adaptive sampler: IDLE, NORMAL, INTENSIVE and CRITICAL levels, raised at once when an anomaly opens or a value nears a threshold, lowered one step after a quiet period. Durations: "500ms", "30s", "5m", "1h" or seconds.',
  anomaly: 'Anomaly rules: each opens an episode when its metric crosses a threshold (for a while) or spikes above its previous window, and closes it when the value is back past the hysteresis.',
  api: 'The HTTP API of `hostguard serve` (REST, WebSocket /ws, Prometheus /metrics; see docs/API.md). Loopback needs no token; any other address requires one.',
  store: 'Where history is kept: a SQLite file, or a PostgreSQL database shared by a fleet.',
  retention: 'How long history is kept: raw snapshots, then 1-minute and 1-hour rollups (avg/min/max). Periods take days ("7d"), hours or minutes.',
  log: 'The daemon\'s log: structured JSON lines (pino) on stderr. Sampler level changes, anomalies, store errors and the listening address at info; each HTTP request at debug.',
  alerts: 'Alerts: noise control, then the channels. A channel is on when its table is present; each has min_severity, timeout and retries. The tables below are commented out: remove the # to use one.',
};

// Examples for arrays of tables, which have no default to show.
const ARRAY_EXAMPLES: Record<string, { note: string; entries: unknown[] }> = {
  'anomaly.rules': { note: 'The entries below are the built-in rules; with default_rules = true they apply without being listed.', entries: DEFAULT_RULES },
  'alerts.webhooks': { note: 'An example, commented out:\n[[alerts.webhooks]]\nurl = "https://hooks.slack.com/services/T000/B000/XXXX"\nformat = "slack"\nmin_severity = "warning"', entries: [] },
};

function literal(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return String(value);
}

function comment(text: string | undefined, extra = ''): string[] {
  return text === undefined ? [] : [`# ${text}${extra}`];
}

function range(schema: JsonSchema): string {
  if (schema.enum) return ` (one of ${schema.enum.map(literal).join(', ')})`;
  if (schema.minimum !== undefined && schema.maximum !== undefined) return ` (${schema.minimum} to ${schema.maximum})`;
  return '';
}

function renderTable(path: string, schema: JsonSchema, lines: string[]): void {
  const nested: Array<[string, JsonSchema]> = [];
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.properties) nested.push([key, property]);
    // Arrays of tables get their fields listed; an array of plain values is a key like any other.
    else if (property.type === 'array' && (property.items?.properties ?? property.items?.anyOf)) renderArray(`${path}.${key}`, property, lines);
    else if (property.default === undefined) lines.push(...comment(property.description, range(property)), `# ${key} = ...`);
    else lines.push(...comment(property.description, range(property)), `${key} = ${literal(property.default)}`);
  }
  for (const [key, property] of nested) {
    const block = ['', ...comment(property.description), `[${path}.${key}]`];
    renderTable(`${path}.${key}`, property, block);
    // An optional table with no default (a channel, quiet hours) is off until written: comment it out.
    const optional = !(schema.required ?? []).includes(key) && property.default === undefined;
    lines.push(...(optional ? block.map((line) => (line === '' || line.startsWith('#') ? line : `# ${line}`)) : block));
  }
}

// Arrays of tables: the fields of each variant as comments, then the examples as real entries.
function renderArray(path: string, schema: JsonSchema, lines: string[]): void {
  lines.push(...comment(schema.description), '# Fields:');
  const variants = schema.items?.anyOf ?? (schema.items ? [schema.items] : []);
  const seen = new Set<string>();
  for (const variant of variants) {
    for (const [key, field] of Object.entries(variant.properties ?? {})) {
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`#   ${key}: ${field.description ?? ''}${range(field)}${field.default === undefined ? '' : ` (default ${literal(field.default)})`}`);
    }
  }
  const examples = ARRAY_EXAMPLES[path];
  if (examples) lines.push(...examples.note.split('\n').map((line) => `# ${line}`));
  for (const example of examples?.entries ?? []) {
    lines.push('', `[[${path}]]`, ...Object.entries(example as Record<string, unknown>).map(([key, value]) => `${key} = ${literal(value)}`));
  }
}

export function exampleConfig(): string {
  const lines = ['# hostguard configuration: every key with its default (generated from src/config by src/config/document.ts).'];
  for (const [name, schema] of Object.entries(configSections) as Array<[keyof typeof configSections, z.ZodType]>) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    lines.push('', ...comment(SECTION_TITLES[name]), `[${name}]`);
    renderTable(name, json, lines);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) process.stdout.write(exampleConfig());
