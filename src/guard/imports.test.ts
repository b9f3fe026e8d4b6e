// The guard must keep working when the daemon, the store or the network are gone: it may import
// only sys/, its own folder and leaf alert channels, and no package beyond Node's and D-Bus.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g;

function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the guard stands alone', () => {
  const { files, packages } = importGraph(join(srcDir, 'cli', 'guard.ts'));

  it('reaches only guard/, sys/ and alert/channels/', () => {
    const outside = [...files].map((f) => relative(srcDir, f)).filter((f) => !/^(guard|sys|alert\/channels)\//.test(f) && f !== 'cli/guard.ts');
    expect(outside).toEqual([]);
    expect(files.size).toBeGreaterThan(10);
  });

  it('uses no package but Node built-ins and the D-Bus client', () => {
    const foreign = [...packages].filter((p) => !p.startsWith('node:') && p !== '@homebridge/dbus-native');
    expect(foreign).toEqual([]);
  });
});
