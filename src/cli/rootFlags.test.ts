import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rootFlagProblem } from './rootFlags.ts';

describe('rootFlagProblem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hg-roots-'));
  const file = join(dir, 'kmsg.txt');
  writeFileSync(file, '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts existing folders, a kmsg file, and flags left out', () => {
    expect(rootFlagProblem({})).toBeUndefined();
    expect(rootFlagProblem({ 'proc-root': dir, 'sys-root': dir, 'etc-root': dir, kmsg: file })).toBeUndefined();
    expect(rootFlagProblem({ kmsg: '/dev/null' })).toBeUndefined();
  });

  it('names the first flag whose path is missing or of the wrong kind', () => {
    expect(rootFlagProblem({ 'proc-root': join(dir, 'nope') })).toBe(`--proc-root '${join(dir, 'nope')}' does not exist`);
    expect(rootFlagProblem({ 'proc-root': dir, 'sys-root': file })).toBe(`--sys-root '${file}' is not a directory`);
    expect(rootFlagProblem({ 'etc-root': join(dir, 'nope'), kmsg: dir })).toBe(`--etc-root '${join(dir, 'nope')}' does not exist`);
    expect(rootFlagProblem({ kmsg: dir })).toBe(`--kmsg '${dir}' is not a file`);
    expect(rootFlagProblem({ kmsg: join(dir, 'nope') })).toBe(`--kmsg '${join(dir, 'nope')}' is not a file`);
  });
});
