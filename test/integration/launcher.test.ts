// bin/hostguard.js started by the system's Node (20 on these machines): `hostguard serve` needs
// node:sqlite and dependencies that need Node >= 22, so the launcher must re-exec the pinned Node
// 24 for dist/ as it does for src/ (dist/ is current after `npm test`'s build).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const HOSTGUARD = fileURLToPath(new URL('../../bin/hostguard.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hostguard-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the launcher under the system Node', () => {
  it('starts hostguard serve and stops it on SIGTERM with status 0', async () => {
    const child = spawn(HOSTGUARD, ['serve', '--listen', '127.0.0.1:0', '--db', join(dir, 'h.db')], {
      cwd: dir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOSTGUARD_TRACE_MODE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('listening on http://127.0.0.1:') && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(output, output).toContain('listening on http://127.0.0.1:');
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      expect(await exited, output).toBe(0);
    } finally {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    }
  }, 60_000);
});
