import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentVariables, resolveConfig } from './layers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-layers-'));
  dirs.push(dir);
  const file = join(dir, 'hostguard.toml');
  writeFileSync(file, text);
  return file;
}

function errorOf(result: ReturnType<typeof resolveConfig>): string {
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('resolveConfig', () => {
  it('lays flags over the environment over the file over the defaults', () => {
    const file = configFile('[api]\nlisten = "127.0.0.1:9000"\nmax_points = 500\n[store]\npath = "file.db"\n[sampler]\ninitial_level = "idle"\n');
    const env = { HOSTGUARD_API_LISTEN: '127.0.0.1:9001', HOSTGUARD_STORE_PATH: 'env.db', PATH: '/bin', HOSTGUARD_FROM_SOURCE: '1', HOSTGUARD_ALERT_ID: 'x' };
    const result = resolveConfig({ file, env, flags: [{ path: ['api', 'listen'], value: '127.0.0.1:9002', flag: '--listen' }] });
    if (!result.ok) throw new Error(result.error);
    const { api, store, sampler, retention } = result.value.config;
    expect(api.listen).toEqual({ host: '127.0.0.1', port: 9002 });
    expect(store.path).toBe('env.db');
    expect(api.maxPoints).toBe(500);
    expect(sampler.initial_level).toBe('idle');
    // untouched keys keep their defaults
    expect(api.websocket).toEqual({ maxClients: 100, maxBufferedBytes: 4_194_304, pingIntervalMs: 30_000 });
    expect(retention).toEqual({ rawSeconds: 7 * 86_400, minuteSeconds: 30 * 86_400, hourSeconds: 365 * 86_400, eventSeconds: 30 * 86_400, alertSeconds: 365 * 86_400 });
    expect(result.value.file).toBe(file);
  });

  it('converts environment text to the type of the key: numbers, booleans, durations, lists', () => {
    const env = { HOSTGUARD_API_MAX_POINTS: '250', HOSTGUARD_COLLECTORS_USB: 'off', HOSTGUARD_RETENTION_RAW: '2d', HOSTGUARD_SAMPLER_IDLE_INTERVAL: '60', HOSTGUARD_API_CORS_ORIGINS: 'https://a.example, https://b.example', HOSTGUARD_TOKEN: 'x'.repeat(20) };
    const result = resolveConfig({ env, flags: [], searchPaths: [] });
    if (!result.ok) throw new Error(result.error);
    const { api, collectors, retention, sampler } = result.value.config;
    expect(api.maxPoints).toBe(250);
    expect(collectors.enabled['usb']).toBe(false);
    expect(retention.rawSeconds).toBe(2 * 86_400);
    expect(sampler.idle.intervalMs).toBe(60_000);
    expect(api.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(api.token).toBe('x'.repeat(20));
    expect(result.value.file).toBeUndefined();
  });

  it('names the layer, the key and the reason of every bad value at once', () => {
    const file = configFile('[api]\nmax_points = 5\n[retention]\nraw = "forever"\n');
    const env = { HOSTGUARD_API_LISTEN: '127.0.0.1:99999', HOSTGUARD_COLLECTORS_USB: 'maybe', HOSTGUARD_API_LISTN: 'x' };
    const error = errorOf(resolveConfig({ file, env, flags: [{ path: ['store', 'path'], value: '', flag: '--db' }] }));
    const lines = error.split('\n');
    expect(lines).toContain('environment HOSTGUARD_API_LISTN: not a configuration variable; they are HOSTGUARD_<SECTION>_<KEY> for the keys of docs/hostguard.example.toml, such as HOSTGUARD_API_LISTEN');
    expect(lines).toContain(`environment HOSTGUARD_API_LISTEN: api.listen: '127.0.0.1:99999' is not HOST:PORT such as "127.0.0.1:8080", "[::1]:8080" or "localhost:8080" (port 0 to 65535)`);
    expect(lines.some((line) => line.startsWith('environment HOSTGUARD_COLLECTORS_USB: collectors.usb: '))).toBe(true);
    expect(lines.some((line) => line.startsWith(`${file}: api.max_points: `))).toBe(true);
    expect(lines).toContain(`${file}: retention.raw: 'forever' is not a retention period such as "7d", "36h" or "90m"`);
    expect(lines.some((line) => line.startsWith('--db: store.path: '))).toBe(true);
    expect(lines).toHaveLength(6);
  });

  it('refuses a non-loopback address without a token, and a short token', () => {
    const noToken = errorOf(resolveConfig({ env: {}, flags: [{ path: ['api', 'listen'], value: '0.0.0.0:8080', flag: '--listen' }], searchPaths: [] }));
    expect(noToken).toBe('--listen: api.listen: 0.0.0.0 is not a loopback address: set api.token (or HOSTGUARD_TOKEN) to listen there, or listen on 127.0.0.1');
    const short = errorOf(resolveConfig({ env: { HOSTGUARD_TOKEN: 'secret' }, flags: [], searchPaths: [] }));
    expect(short).toBe('environment HOSTGUARD_TOKEN: api.token: a token of 6 characters is too easy to guess; use at least 16');
    const withToken = resolveConfig({ env: { HOSTGUARD_TOKEN: 't'.repeat(16) }, flags: [{ path: ['api', 'listen'], value: '[::]:8080', flag: '--listen' }], searchPaths: [] });
    expect(withToken.ok).toBe(true);
  });

  it('finds the first existing file of the search path, and reports an explicit file that is missing', () => {
    const second = configFile('[api]\nmax_points = 123\n');
    const found = resolveConfig({ env: {}, flags: [], searchPaths: ['/nonexistent/hostguard.toml', second] });
    expect(found.ok && found.value).toMatchObject({ file: second, config: { api: { maxPoints: 123 } } });
    expect(errorOf(resolveConfig({ file: '/nonexistent/x.toml', env: {}, flags: [] }))).toBe('/nonexistent/x.toml: cannot be read (ENOENT)');
    const viaEnv = resolveConfig({ env: { HOSTGUARD_CONFIG: second }, flags: [], searchPaths: [] });
    expect(viaEnv.ok && viaEnv.value.file).toBe(second);
  });

  it('maps every scalar key of every section to a variable', () => {
    const names = [...environmentVariables().keys()];
    expect(names).toEqual(expect.arrayContaining(['HOSTGUARD_API_LISTEN', 'HOSTGUARD_API_WEBSOCKET_PING_INTERVAL', 'HOSTGUARD_RETENTION_HOUR', 'HOSTGUARD_STORE_URL', 'HOSTGUARD_SAMPLER_CRITICAL_INTERVAL', 'HOSTGUARD_ANOMALY_DEFAULT_RULES', 'HOSTGUARD_COLLECTORS_TOP_PROCESSES', 'HOSTGUARD_TOKEN']));
    // arrays of tables (anomaly rules) belong in the file
    expect(names.some((name) => name.startsWith('HOSTGUARD_ANOMALY_RULES'))).toBe(false);
  });
});
