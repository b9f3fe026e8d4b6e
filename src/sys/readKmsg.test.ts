import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsgReader } from './readKmsg.ts';
import { readUptime } from './readHost.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/collect-kmsg/${name}`, import.meta.url), 'utf8');
const dirs: string[] = [];
const readers: KmsgReader[] = [];
afterEach(() => {
  for (const reader of readers.splice(0)) reader.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-kmsg-'));
  dirs.push(dir);
  const path = join(dir, 'kmsg');
  copyFileSync(new URL('../../test/fixtures/collect-kmsg/boot-real.txt', import.meta.url), path);
  return path;
}

describe('KmsgReader on a log file', () => {
  it('starts at the end: records already present are not returned', () => {
    const reader = new KmsgReader(tempLog());
    readers.push(reader);
    expect(reader.isOpen).toBe(true);
    expect(reader.poll()).toEqual([]);
  });

  it('returns records appended later, with their dictionaries, across a record cut in two', () => {
    const path = tempLog();
    const reader = new KmsgReader(path);
    readers.push(reader);
    const usb = fixture('usb-events.txt');
    const cut = usb.indexOf('error -110') + 3;
    appendFileSync(path, usb.slice(0, cut));
    const first = reader.poll();
    appendFileSync(path, usb.slice(cut));
    const records = [...first, ...reader.poll()];
    expect(records.map((r) => r.sequence)).toEqual([1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208, 1209, 1210, 1211, 1212]);
    expect(records[0]).toMatchObject({ message: 'usb 1-1: new high-speed USB device number 5 using xhci_hcd', properties: { SUBSYSTEM: 'usb', DEVICE: 'c189:4' } });
    expect(records[1]).toMatchObject({ level: 3, message: 'usb 1-1: device descriptor read/64, error -110' });
    expect(reader.poll()).toEqual([]);
  });

  it('reports why it could not open', () => {
    const reader = new KmsgReader('/nonexistent/kmsg');
    expect(reader.isOpen).toBe(false);
    expect(reader.openError).toContain('ENOENT');
    expect(reader.poll()).toEqual([]);
  });
});

describe('KmsgReader on the real /dev/kmsg', () => {
  it('skips the existing ring buffer: nothing older than the moment it opened comes back', () => {
    const uptime = readUptime('/proc');
    const reader = new KmsgReader('/dev/kmsg');
    readers.push(reader);
    if (!reader.isOpen) throw new Error(`this test needs a readable /dev/kmsg (root): ${reader.openError}`);
    // The ring buffer holds the boot messages; had the reader not skipped them, they would come back here.
    const startedAt = uptime.ok ? uptime.value : 0;
    for (const record of reader.poll()) expect(record.monotonicSeconds).toBeGreaterThanOrEqual(startedAt - 1);
  });
});
