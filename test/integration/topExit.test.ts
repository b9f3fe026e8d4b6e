// hostguard top's crash exits in tmux: the terminal is put back (normal screen, cursor, line mode)
// and the error is printed after it, whether the crash is inside the UI (a daemon that sends a
// malformed snapshot) or outside it (an exception thrown from a timer).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { PROMPT, TmuxPane } from '../helpers/tmux.ts';
import { cleanUp, tempDir } from './serveDaemon.ts';

const BIN = fileURLToPath(new URL('../../bin/hostguard.js', import.meta.url));
const panes: TmuxPane[] = [];
const servers: WebSocketServer[] = [];

afterAll(async () => {
  for (const pane of panes.splice(0)) pane.kill();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await cleanUp();
});

async function openPane(): Promise<TmuxPane> {
  const pane = await TmuxPane.start({ columns: 80, rows: 24, cwd: tempDir() });
  panes.push(pane);
  return pane;
}

async function expectRestoredAfterCrash(pane: TmuxPane, dir: string, message: string): Promise<void> {
  await pane.waitForText('EXIT=1');
  expect(pane.variable('alternate_on')).toBe('0');
  expect(pane.variable('cursor_flag')).toBe('1');
  const screen = pane.screen();
  expect(screen).toContain(message);
  expect(screen).toContain(PROMPT);
  pane.type(`stty -g | cmp -s - ${dir}/stty && echo "STTY-$((40+2))-SAME"`, true);
  await pane.waitForText('STTY-42-SAME');
}

describe('hostguard top crash exits', () => {
  it('puts the terminal back when the UI crashes on a malformed snapshot', async () => {
    // Not a daemon: a WebSocket server on loopback that sends a snapshot whose perCore is not a
    // list, as a daemon of an incompatible version might. Nothing else can make the UI throw.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    server.on('connection', (ws) => {
      setTimeout(() => ws.send(JSON.stringify({ type: 'snapshot', data: { timestamp: new Date().toISOString(), timestampMs: Date.now(), intervalSeconds: 1, cpu: { logicalCpus: 1, perCore: 5, load1: 0, load5: 0, load15: 0 } } })), 1500);
    });
    const pane = await openPane();
    const dir = tempDir();
    pane.type(`stty -g > ${dir}/stty; ${process.execPath} ${BIN} top --url http://127.0.0.1:${port}; echo "EXIT=$?"`, true);
    await pane.waitFor((s) => s.includes('hostguard top') && pane.variable('alternate_on') === '1', 'the UI');
    await expectRestoredAfterCrash(pane, dir, 'hostguard top: TypeError');
  }, 120_000);

  it('puts the terminal back after an exception outside the UI', async () => {
    const dir = tempDir();
    const script = join(dir, 'crash.mjs');
    const module = (name: string): string => JSON.stringify(fileURLToPath(new URL(`../../src/tui/${name}`, import.meta.url)));
    writeFileSync(
      script,
      `import { runInteractive } from ${module('run.ts')};
import { DataStore, initialData } from ${module('model.ts')};
const store = new DataStore(initialData('crash-test-source', Date.now(), { alerts: false, events: false }));
const source = { store, stop() {}, signalRefusal() { return undefined; },
  start() { setTimeout(() => { throw new Error('thrown outside the UI'); }, 1500); } };
process.exitCode = await runInteractive(source, { procRoot: '/proc' });
`,
    );
    const pane = await openPane();
    pane.type(`stty -g > ${dir}/stty; ${process.execPath} ${script}; echo "EXIT=$?"`, true);
    await pane.waitForText('crash-test-source');
    await expectRestoredAfterCrash(pane, dir, 'hostguard top: Error: thrown outside the UI');
  }, 120_000);
});
