import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMountinfo, unescapeMountPath } from './parseMountinfo.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-proc/self/mountinfo', import.meta.url), 'utf8');

describe('parseMountinfo', () => {
  it('reads the captured file', () => {
    const result = parseMountinfo(real);
    if (!result.ok) throw new Error(result.error);
    expect(result.value).toHaveLength(real.trim().split('\n').length);
    expect(result.value.find((m) => m.mountPoint === '/')).toMatchObject({ fsType: 'ext4', source: '/dev/vda', major: 254, minor: 0, root: '/' });
    expect(result.value.find((m) => m.mountPoint === '/sys/fs/cgroup/memory')).toMatchObject({ fsType: 'cgroup', superOptions: 'rw,memory' });
  });

  it('unescapes octal escapes and handles optional fields before the separator', () => {
    const line = '36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n';
    expect(parseMountinfo(line)).toMatchObject({ ok: true, value: [{ mountId: 36, parentId: 35, mountPoint: '/mnt/my disk', fsType: 'ext3', source: '/dev/root' }] });
    expect(unescapeMountPath('a\\011b\\134c')).toBe('a\tb\\c');
  });

  it('rejects a line without the separator', () => {
    expect(parseMountinfo('1 2 3:4 / / rw ext4 /dev/x rw\n')).toEqual({ ok: false, error: expect.stringContaining("' - '") });
  });

  it('never throws', () => {
    const spliced = fc.tuple(fc.nat(), fc.string()).map(([at, junk]) => real.slice(0, at % (real.length + 1)) + junk + real.slice(at % (real.length + 1)));
    fc.assert(fc.property(fc.oneof(fc.string(), spliced), (text) => typeof parseMountinfo(text).ok === 'boolean'));
  });
});
