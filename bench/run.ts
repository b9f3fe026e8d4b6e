// Runs one benchmark script by name (`npm run bench -- guard`), or lists them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(benchDir)
  .filter((name) => name.endsWith('.ts') && name !== 'run.ts' && !name.startsWith('lib'))
  .map((name) => name.slice(0, -3))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !existsSync(join(benchDir, `${name}.ts`))) {
  const what = name === undefined ? 'no benchmark named' : `unknown benchmark '${name}'`;
  process.stderr.write(`bench: ${what}. Available: ${available.join(', ') || '(none yet)'}\nUsage: npm run bench -- NAME [options]\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, [join(benchDir, `${name}.ts`), ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
