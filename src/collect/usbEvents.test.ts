import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKmsgRecord, splitKmsgRecords } from '../sys/parseKmsg.ts';
import { classifyUsbRecord, usbDeviceId } from './usbEvents.ts';

const records = splitKmsgRecords(readFileSync(new URL('../../test/fixtures/collect-kmsg/usb-events.txt', import.meta.url), 'utf8')).records.map((text) => {
  const parsed = parseKmsgRecord(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
});

describe('classifyUsbRecord', () => {
  it('classifies the kernel USB messages of the fixture', () => {
    expect(records.map((r) => [r.sequence, classifyUsbRecord(r)])).toEqual([
      [1200, undefined],
      [1201, { kind: 'timeout', deviceId: '1-1' }],
      [1202, { kind: 'reset', deviceId: '1-1' }],
      [1203, { kind: 'timeout', deviceId: '2-1' }],
      [1204, { kind: 'error', deviceId: '1-1.2' }],
      [1205, { kind: 'timeout' }],
      [1206, { kind: 'reset', deviceId: '2-2' }],
      [1207, undefined],
      [1208, { kind: 'timeout', deviceId: '3-1' }],
      [1209, undefined],
      [1210, { kind: 'timeout', deviceId: '3-1' }],
      // written to /dev/kmsg from user space (facility 1): not trusted as a kernel report
      [1211, undefined],
      [1212, undefined],
    ]);
  });

  it('names the device from hub and root hub port messages', () => {
    expect(usbDeviceId('usb usb3-port1: Cannot enable.')).toBe('3-1');
    expect(usbDeviceId('usb 1-1.4-port2: disabled by hub (EMI?), re-enabling...')).toBe('1-1.4.2');
    expect(usbDeviceId('usb 2-1.3: new full-speed USB device number 4 using ehci-pci')).toBe('2-1.3');
    expect(usbDeviceId('xhci_hcd 0000:00:14.0: Timeout')).toBeUndefined();
  });
});
