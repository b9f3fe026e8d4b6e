// bin/hostguard.js started by the system's Node (20 on these machines): `hostguard serve` needs
// node:sqlite and dependencies that need Node >= 22, so the launcher must re-exec the pinned Node
// 24 for dist/ as it does for src/ (dist/ is current after `npm test`'s build).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const HOSTGUARD = fileURLToPath(new URL('../../bin/hostguard.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hostguard-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Launched {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  // 'close' rather than 'exit': it comes after the last output, so a failure shows all of it.
  closed: Promise<string>;
}

// Starts `hostguard serve` through the launcher and waits for its "listening" line.
async function launchServe(db: string): Promise<Launched> {
  const child = spawn(HOSTGUARD, ['serve', '--listen', '127.0.0.1:0', '--db', join(dir, db)], {
    cwd: dir,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOSTGUARD_TRACE_MODE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<string>((resolve) => child.once('close', (code, signal) => resolve(signal === null ? `code ${code}` : `signal ${signal}`)));
  const deadline = Date.now() + 30_000;
  while (!output.includes('listening on http://127.0.0.1:') && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return { child, output: () => output, closed };
}

function killIfRunning(child: Launched['child']): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}

describe('the launcher under the system Node', () => {
  it('starts hostguard serve and stops it on SIGTERM with status 0', async () => {
    const { child, output, closed } = await launchServe('h.db');
    try {
      expect(output(), output()).toContain('listening on http://127.0.0.1:');
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      expect(await closed, output()).toBe('code 0');
    } finally {
      killIfRunning(child);
    }
  }, 60_000);

  it('ends by the same signal as the Node 24 it started, so a shell sees 128 + the signal', async () => {
    const { child, output, closed } = await launchServe('k.db');
    try {
      expect(output(), output()).toContain('listening on http://127.0.0.1:');
      // the launcher's only child: the pinned Node running the daemon (started by this test)
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ').map(Number);
      expect(children, output()).toHaveLength(1);
      // SIGHUP: one the daemon does not catch, and one the launcher forwards (so it catches it too)
      const node24 = children[0];
      if (node24 !== undefined) process.kill(node24, 'SIGHUP');
      expect(await closed, output()).toBe('signal SIGHUP');
    } finally {
      killIfRunning(child);
    }
  }, 60_000);
});
