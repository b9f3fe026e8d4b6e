import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileFollower, type FollowedLine } from './follower.ts';

let dir: string;
let path: string;
let seen: FollowedLine[];
let problems: string[];
let follower: FileFollower;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostguard-follow-'));
  path = join(dir, 'events.jsonl');
  seen = [];
  problems = [];
  // polled by hand: no timer runs
  follower = new FileFollower({ path, pollMs: 60_000, onLines: (lines) => seen.push(...lines), onProblem: (m) => problems.push(m) });
});
afterEach(async () => {
  await follower.stop();
  rmSync(dir, { recursive: true, force: true });
});

const texts = (): string[] => seen.map((l) => l.text);

describe('FileFollower', () => {
  it('waits for a file that does not exist yet, then reads it from the start', async () => {
    await follower.poll();
    expect(seen).toEqual([]);
    expect(problems).toEqual([]);
    writeFileSync(path, 'a\nb\n');
    await follower.poll();
    expect(texts()).toEqual(['a', 'b']);
  });

  it('holds back an unfinished line until its newline arrives, and ids lines by inode and offset', async () => {
    writeFileSync(path, 'first\nsec');
    await follower.poll();
    expect(texts()).toEqual(['first']);
    appendFileSync(path, 'ond\n');
    await follower.poll();
    expect(texts()).toEqual(['first', 'second']);
    const [a, b] = seen;
    expect(a?.id).toMatch(/^\d+:0$/);
    expect(b?.id).toBe(`${a?.id.split(':')[0]}:6`);
    // a second follower of the same file gives the same ids (a daemon restart replays harmlessly)
    const again: FollowedLine[] = [];
    const other = new FileFollower({ path, pollMs: 60_000, onLines: (l) => again.push(...l), onProblem: () => undefined });
    await other.poll();
    await other.stop();
    expect(again).toEqual(seen);
  });

  it('finishes the rotated file, then follows the new one at the path', async () => {
    writeFileSync(path, 'one\n');
    await follower.poll();
    appendFileSync(path, 'two\n');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'three\n');
    await follower.poll();
    await follower.poll();
    expect(texts()).toEqual(['one', 'two', 'three']);
  });

  it('starts again from the top of a truncated file', async () => {
    writeFileSync(path, 'old line\n');
    await follower.poll();
    truncateSync(path, 0);
    appendFileSync(path, 'new\n');
    await follower.poll();
    expect(texts()).toEqual(['old line', 'new']);
  });

  it('says once when the path cannot be read, and carries on', async () => {
    const blocked = new FileFollower({ path: join(path, 'under-a-file'), pollMs: 60_000, onLines: () => undefined, onProblem: (m) => problems.push(m) });
    writeFileSync(path, 'x\n');
    await blocked.poll();
    await blocked.poll();
    await blocked.stop();
    expect(problems).toEqual([`cannot read ${join(path, 'under-a-file')}: ENOTDIR`]);
  });
});
