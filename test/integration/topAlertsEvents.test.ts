// The real `hostguard top` in tmux against a real `hostguard serve`: an alert raised through the
// daemon's API (POST /api/v1/alerts/test) and a guard event (one JSON line appended to the daemon's
// [events] guard_file, written as the guard writes it) reach the Alerts and Events panels, and the
// guard's level replaces top's own estimate in the memory panel. Everything started here is stopped here.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../../src/guard/events.ts';
import { TmuxPane } from '../helpers/tmux.ts';
import { cleanUp, eventually, getJson, startDaemon, tempDir } from './serveDaemon.ts';

const BIN = fileURLToPath(new URL('../../bin/hostguard.js', import.meta.url));
const SAMPLING = ['idle', 'normal', 'intensive', 'critical'].map((level) => `[sampler.${level}]\ninterval = "1s"\n`).join('');

const panes: TmuxPane[] = [];

afterAll(async () => {
  for (const pane of panes.splice(0)) pane.kill();
  await cleanUp();
}, 60_000);

// The lines of the screen from the one that holds the title to the next blank line or title.
function panelText(screen: string, title: string): string {
  const lines = screen.split('\n');
  const start = lines.findIndex((line) => line.includes(title));
  return start < 0 ? '' : lines.slice(start, start + 12).join('\n');
}

describe('hostguard top in tmux: alerts and events from a real daemon', () => {
  it('shows the API-raised test alert, a guard level event appended to the guard file, and the alert it raises', async () => {
    const dir = tempDir();
    const guardFile = join(dir, 'guard-events.jsonl');
    writeFileSync(guardFile, '');
    // A channel (JSON files in a temp directory): the test alert's delivery is what the daemon stores.
    const config = `${SAMPLING}[events]\nguard_file = "${guardFile}"\n[alerts.json_files]\ndirectory = "${join(dir, 'alerts')}"\n`;
    const daemon = await startDaemon({ config });
    const test = await getJson(`${daemon.baseUrl}/api/v1/alerts/test`, { method: 'POST' });
    expect(test.status).toBe(200);
    expect((test.body as { count: number }).count).toBe(1);
    // stored within the daemon's save period (500 ms): top reads the list when it connects
    await eventually('the test alert in GET /api/v1/alerts', async () => {
      const { body } = await getJson(`${daemon.baseUrl}/api/v1/alerts?type=TEST`);
      return (body as { count: number }).count === 1 ? true : undefined;
    });

    const pane = await TmuxPane.start({ columns: 160, rows: 40, cwd: dir });
    panes.push(pane);
    pane.type(`${process.execPath} ${BIN} top --url ${daemon.baseUrl}; echo "EXIT=$?"`, true);
    const first = await pane.waitFor((s) => /live \d\d:\d\d:\d\d/.test(s) && s.includes('hostguard test alert'), 'the test alert in the Alerts panel');
    expect(panelText(first, 'Alerts')).toMatch(/INFO \d\d:\d\d:\d\d resolved TEST hostguard test alert/);
    expect(panelText(first, 'Events')).toContain('no guard or trace events yet');
    expect(first).not.toContain('[EMERGENCY]');

    // One line as the guard's --events-file writer (jsonOf) puts it: the level went to EMERGENCY.
    const level = { type: 'level', from: 'NORMAL', to: 'EMERGENCY', usedPercent: 91.5, usedBytes: 900 * 1024 ** 2, budgetBytes: 1024 ** 3 } as const;
    appendFileSync(guardFile, `${jsonOf(level, Date.now())}\n`);
    const after = await pane.waitFor((s) => s.includes('guard_level') && s.includes('memory level EMERGENCY'), 'the guard event and its alert');
    expect(panelText(after, 'Events')).toMatch(/\d\d:\d\d:\d\d guard_level +memory level NORMAL -> EMERGENCY: 91\.5/);
    // the RESOURCE_CRITICAL alert the level raised, firing, above the resolved test alert
    const alerts = panelText(after, 'Alerts');
    expect(alerts).toMatch(/CRIT \d\d:\d\d:\d\d alert RESOURCE_CRITICAL memory level EMERGENCY/);
    expect(alerts.indexOf('RESOURCE_CRITICAL')).toBeLessThan(alerts.indexOf('hostguard test alert'));
    // the memory panel shows the guard's own level, marked as the guard's
    expect(after).toMatch(/\[EMERGENCY\] guard/);
    // the daemon stored the one event the screen shows (its writes are batched: polled)
    await eventually('the guard_level event in GET /api/v1/events', async () => (((await getJson(`${daemon.baseUrl}/api/v1/events?type=guard_level`)).body as { count: number }).count === 1 ? true : undefined));
    pane.keys('q');
    await pane.waitForText('EXIT=0');
  }, 180_000);
});
