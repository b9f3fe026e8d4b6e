import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LEVELS } from '../collect/sampler.ts';
import { exampleConfig } from './document.ts';
import { loadConfig, parseConfigText } from './load.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-config-'));
  dirs.push(dir);
  const file = join(dir, 'hostguard.toml');
  writeFileSync(file, text);
  return file;
}

function errorOf(text: string): string {
  const result = parseConfigText(text, 'test.toml');
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('loadConfig', () => {
  it('gives the defaults for an empty file: the seeds\' levels and rules, every collector on', () => {
    const result = loadConfig(configFile(''));
    if (!result.ok) throw new Error(result.error);
    const { sampler, anomaly, collectors } = result.value;
    expect({ idle: sampler.idle, normal: sampler.normal, intensive: sampler.intensive, critical: sampler.critical }).toEqual(DEFAULT_LEVELS);
    expect(sampler.initial_level).toBe('normal');
    expect(anomaly.map((r) => r.name)).toEqual(['cpu-warning', 'cpu-critical', 'cpu-spike', 'memory-warning', 'memory-critical', 'memory-spike', 'temperature-critical', 'disk-warning', 'disk-critical', 'usb-timeout']);
    expect(anomaly.find((r) => r.name === 'cpu-critical')).toEqual({ name: 'cpu-critical', type: 'threshold', metric: 'cpu_busy_percent', comparison: '>', threshold: 90, forMs: 30_000, clearForMs: 0, hysteresis: 5, severity: 'critical' });
    expect(anomaly.find((r) => r.name === 'cpu-spike')).toMatchObject({ type: 'spike', increase: 40, windowMs: 60_000 });
    expect(Object.values(collectors.enabled).every(Boolean)).toBe(true);
    expect(collectors).toMatchObject({ topProcesses: 10, usbTimeoutHoldSeconds: 300 });
  });

  it('reads durations, replaces a built-in rule by name, drops one, and adds rules of its own', () => {
    const result = parseConfigText(
      `[sampler.critical]\ninterval = 0.25\n[collectors]\nusb = false\n` +
        `[[anomaly.rules]]\nname = "cpu-critical"\nmetric = "cpu_busy_percent"\nthreshold = 80\nfor = "2m"\nseverity = "critical"\n` +
        `[[anomaly.rules]]\nname = "disk-warning"\nmetric = "disk_used_percent"\nthreshold = 80\nseverity = "warning"\nenabled = false\n` +
        `[[anomaly.rules]]\nname = "low-memory"\nmetric = "memory_available_bytes"\ncomparison = "<"\nthreshold = 1073741824\nseverity = "info"\nmessage = "less than 1 GiB left"\n`,
      'test.toml',
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.value.sampler.critical.intervalMs).toBe(250);
    expect(result.value.collectors.enabled['usb']).toBe(false);
    const rules = result.value.anomaly;
    expect(rules.find((r) => r.name === 'cpu-critical')).toMatchObject({ threshold: 80, forMs: 120_000 });
    expect(rules.map((r) => r.name)).not.toContain('disk-warning');
    expect(rules.at(-1)).toEqual({ name: 'low-memory', type: 'threshold', metric: 'memory_available_bytes', comparison: '<', threshold: 1073741824, forMs: 0, clearForMs: 0, hysteresis: 0, severity: 'info', message: 'less than 1 GiB left' });
    expect(parseConfigText('[anomaly]\ndefault_rules = false\n', 't').ok && parseConfigText('[anomaly]\ndefault_rules = false\n', 't')).toMatchObject({ value: { anomaly: [] } });
  });

  it('names file, key and reason for an unknown metric, a threshold outside the unit, a bad duration', () => {
    expect(errorOf('[[anomaly.rules]]\nname = "x"\nmetric = "cpu_bussy_percent"\nthreshold = 5\nseverity = "warning"\n')).toMatch(/^test\.toml: anomaly\.rules\[0\]\.metric: unknown metric 'cpu_bussy_percent'; known metrics: cpu_busy_percent, /);
    expect(errorOf('[[anomaly.rules]]\nname = "x"\nmetric = "memory_used_percent"\nthreshold = 150\nseverity = "warning"\n')).toBe(
      'test.toml: anomaly.rules[0].threshold: 150 is not a percentage from 0 to 100 (the unit of memory_used_percent)',
    );
    expect(errorOf('[sampler.idle]\ninterval = "30 sec"\n')).toBe('test.toml: sampler.idle.interval: \'30 sec\' is not a duration such as "500ms", "30s", "5m" or "1h"');
    expect(errorOf('[[anomaly.rules]]\nname = "x"\nmetric = "cpu_busy_percent"\nthreshold = 5\nseverity = "urgent"\n')).toContain('test.toml: anomaly.rules[0].severity:');
  });

  it('names unknown keys and sections, and duplicate rule names', () => {
    expect(errorOf('[sampler]\nintervall = 5\n')).toBe('test.toml: sampler.intervall: unknown key');
    expect(errorOf('[samplers]\n')).toBe('test.toml: samplers: unknown key');
    const twice = '[[anomaly.rules]]\nname = "a"\nmetric = "cpu_busy_percent"\nthreshold = 5\nseverity = "info"\n';
    expect(errorOf(twice + twice)).toBe("test.toml: anomaly.rules[1].name: 'a' names two rules");
  });

  it('refuses a higher level that samples less often than a lower one', () => {
    expect(errorOf('[sampler.intensive]\ninterval = "10s"\n')).toBe('test.toml: sampler.intensive.interval: 10s is longer than the normal interval (5s); higher levels sample at least as often');
  });

  it('gives the line and column of a TOML syntax error, and names an unreadable file', () => {
    expect(errorOf('[sampler]\ninitial_level = = 1\n')).toMatch(/^test\.toml:2:\d+: /);
    const missing = loadConfig('/nonexistent/hostguard.toml');
    expect(missing).toEqual({ ok: false, error: '/nonexistent/hostguard.toml: cannot be read (ENOENT)' });
  });
});

describe('the documented example configuration', () => {
  it('is the one generated from the schemas (regenerate: node src/config/document.ts > docs/hostguard.example.toml)', () => {
    expect(readFileSync(new URL('../../docs/hostguard.example.toml', import.meta.url), 'utf8')).toBe(exampleConfig());
  });

  it('loads, and means exactly the defaults', () => {
    const example = parseConfigText(exampleConfig(), 'example.toml');
    const empty = parseConfigText('', 'empty.toml');
    expect(example.ok).toBe(true);
    expect(example).toEqual(empty);
  });
});
