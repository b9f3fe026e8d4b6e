// Recognises USB trouble in kernel log records: timeouts (ETIMEDOUT -110, ETIME -62, "timeout"), resets, enumeration errors.
import type { KmsgRecord } from '../sys/parseKmsg.ts';

export interface UsbLogEvent {
  kind: 'timeout' | 'reset' | 'error';
  deviceId?: string;
}

// USB core, hub and host controller drivers prefix their messages with the device's name.
const USB_SOURCE = /^(usb|hub|usb-storage|xhci_hcd|ehci[-_]\w+|ohci[-_]\w+|uhci_hcd|dwc[23]|musb[-_]hdrc) /;
const TIMEOUT = /error -(110|62)\b|\btime(d)?[ -]?out\b|not responding/i;
const RESET = /\breset .*USB device/i;
const ERROR = /error -\d+\b|cannot enable|unable to enumerate|not accepting address|device descriptor read/i;

// "usb 1-1.2: ..." names the device; "usb 1-1-port2:" a hub port (1-1.2), "usb usb3-port1:" a root hub port (3-1).
export function usbDeviceId(message: string): string | undefined {
  const port = /^usb (?:usb(\d+)|(\d+-[\d.]+))-port(\d+):/.exec(message);
  if (port) return port[1] !== undefined ? `${port[1]}-${port[3]}` : `${port[2]}.${port[3]}`;
  return /^usb (\d+-[\d.]+):/.exec(message)?.[1];
}

// Only kernel messages count: user space may write to /dev/kmsg too (facility 1 and up).
export function classifyUsbRecord(record: KmsgRecord): UsbLogEvent | undefined {
  if (record.facility !== 0) return undefined;
  const fromUsb = USB_SOURCE.test(record.message) || record.properties['SUBSYSTEM'] === 'usb';
  if (!fromUsb) return undefined;
  const kind = TIMEOUT.test(record.message) ? 'timeout' : RESET.test(record.message) ? 'reset' : ERROR.test(record.message) ? 'error' : undefined;
  if (!kind) return undefined;
  const deviceId = usbDeviceId(record.message);
  return deviceId === undefined ? { kind } : { kind, deviceId };
}

// A record that may mean devices came or went, so the device list is worth re-reading.
export function mentionsUsbDevice(record: KmsgRecord): boolean {
  return record.facility === 0 && /^usb \S+: (new .*USB device|USB disconnect)/.test(record.message);
}
