// The guard must keep working when the daemon, the store or the network are gone: it may import
// only sys/, its own folder, leaf alert channels and its own config sections, and no package beyond
// Node's and D-Bus. The TOML parser and zod (config/guardSections.ts) may load only on demand
// (--config), through a dynamic import, so that a guard without a config file never pays for them.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STATIC = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g;
const DYNAMIC = /import\('([^']+)'\)/g;

function importGraph(entry: string, followDynamic: boolean): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(STATIC), ...(followDynamic ? text.matchAll(DYNAMIC) : [])].map((m) => m[1] ?? '');
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

const GUARD_CONFIG = ['config/guardDefaults.ts', 'config/guardSections.ts'];

describe('the guard stands alone', () => {
  const entry = join(srcDir, 'cli', 'guard.ts');
  const all = importGraph(entry, true);
  const eager = importGraph(entry, false);

  it('reaches only guard/, sys/, alert/channels/ and its own config sections', () => {
    const outside = [...all.files].map((f) => relative(srcDir, f)).filter((f) => !/^(guard|sys|alert\/channels)\//.test(f) && f !== 'cli/guard.ts' && !GUARD_CONFIG.includes(f));
    expect(outside).toEqual([]);
    expect(all.files.size).toBeGreaterThan(10);
  });

  it('uses no package but Node built-ins, the D-Bus client, and the TOML parser and zod for --config', () => {
    const foreign = [...all.packages].filter((p) => !p.startsWith('node:') && !['@homebridge/dbus-native', 'smol-toml', 'zod'].includes(p));
    expect(foreign).toEqual([]);
  });

  it('loads the TOML parser and zod only on demand', () => {
    expect([...eager.packages].filter((p) => p === 'smol-toml' || p === 'zod')).toEqual([]);
    expect(all.packages.has('zod')).toBe(true);
  });
});
