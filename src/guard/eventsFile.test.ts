import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventsFile } from './eventsFile.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-events-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('openEventsFile', () => {
  it('appends one JSON line per event with its time, skipping debug lines and reports', () => {
    const path = join(tempDir(), 'sub', 'events.jsonl');
    const file = openEventsFile(path);
    file.write({ type: 'notice', message: 'hello' }, Date.UTC(2026, 10, 23, 12));
    file.write({ type: 'debug', message: 'noise' }, 0);
    file.write({ type: 'stop', reason: 'SIGTERM' }, Date.UTC(2026, 10, 23, 12, 0, 1));
    file.close();
    expect(lines(path)).toEqual([
      { time: '2026-11-23T12:00:00.000Z', type: 'notice', message: 'hello' },
      { time: '2026-11-23T12:00:01.000Z', type: 'stop', reason: 'SIGTERM' },
    ]);
    // a second guard appends after the first one's lines
    const again = openEventsFile(path);
    again.write({ type: 'notice', message: 'again' }, 0);
    again.close();
    expect(lines(path).map((l) => l['message'] ?? l['reason'])).toEqual(['hello', 'SIGTERM', 'again']);
  });

  it('rotates to PATH.1 before a line would pass the cap, so no line is split', () => {
    const path = join(tempDir(), 'events.jsonl');
    const file = openEventsFile(path, 200);
    for (let i = 0; i < 10; i++) file.write({ type: 'notice', message: `line ${i} ${'x'.repeat(20)}` }, 0);
    file.close();
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(statSync(path).size).toBeLessThanOrEqual(200);
    const kept = [...lines(`${path}.1`), ...lines(path)].map((l) => l['message']);
    // the newest lines survive, in order, whole
    expect(kept.at(-1)).toBe(`line 9 ${'x'.repeat(20)}`);
    expect(kept.length).toBeGreaterThanOrEqual(4);
  });

  it('names the path and the reason when the file cannot be opened', () => {
    const dir = tempDir();
    expect(() => openEventsFile(dir)).toThrow(new RegExp(`--events-file ${dir}: cannot open for appending: EISDIR`));
  });
});
