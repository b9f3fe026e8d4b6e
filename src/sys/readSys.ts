// Readers of /sys under an injectable root: thermal zones, hwmon sensors, network links, USB devices, block devices.
import { join } from 'node:path';
import { listSorted as list } from './listDir.ts';
import { parseLinkSpeed, parseUsbSpeed } from './parseSysValues.ts';
import { parseCounter } from './numbers.ts';
import { readSmallFile } from './readFile.ts';

export const DEFAULT_SYS_ROOT = '/sys';


function text(path: string): string | undefined {
  return readSmallFile(path)?.trim();
}

export { type TemperatureSensor, readHwmonSensors, readThermalZones } from './readTemperatures.ts';

export interface NetLink {
  operState: string;
  // undefined where the driver does not know (virtual NICs report -1 or EINVAL)
  speedBitsPerSecond?: number;
  mtuBytes?: number;
}

export function netOperStatePath(name: string, sysRoot = DEFAULT_SYS_ROOT): string {
  return join(sysRoot, 'class', 'net', name, 'operstate');
}

export function readNetOperState(name: string, sysRoot = DEFAULT_SYS_ROOT, read: (path: string) => string | undefined = readSmallFile): string | undefined {
  return read(netOperStatePath(name, sysRoot))?.trim();
}

export function readNetLink(name: string, sysRoot = DEFAULT_SYS_ROOT): NetLink | undefined {
  const dir = join(sysRoot, 'class', 'net', name);
  const operState = text(join(dir, 'operstate'));
  if (operState === undefined) return undefined;
  const speedText = readSmallFile(join(dir, 'speed'));
  const speed = speedText === undefined ? undefined : parseLinkSpeed(speedText);
  const mtu = parseCounter(text(join(dir, 'mtu')) ?? '');
  return {
    operState,
    ...(speed?.ok && speed.value !== undefined ? { speedBitsPerSecond: speed.value } : {}),
    ...(mtu === undefined ? {} : { mtuBytes: mtu }),
  };
}

export interface UsbDeviceInfo {
  // the sysfs name: "usb1" for a root hub, else bus-port path such as "1-1.2"
  id: string;
  busNumber?: number;
  deviceNumber?: number;
  // four hex digits each, as lsusb shows vendor:product
  vendorId: string;
  productId: string;
  manufacturer?: string;
  product?: string;
  speedBitsPerSecond?: number;
}

// Interfaces ("1-1:1.0") are skipped: only devices have idVendor.
export function readUsbDevices(sysRoot = DEFAULT_SYS_ROOT): UsbDeviceInfo[] {
  const base = join(sysRoot, 'bus', 'usb', 'devices');
  const devices: UsbDeviceInfo[] = [];
  for (const id of list(base).filter((name) => !name.includes(':'))) {
    const dir = join(base, id);
    const vendorId = text(join(dir, 'idVendor'));
    const productId = text(join(dir, 'idProduct'));
    if (vendorId === undefined || productId === undefined) continue;
    const optional = (key: string, name: string): Record<string, string> => {
      const value = text(join(dir, name));
      return value === undefined || value === '' ? {} : { [key]: value };
    };
    const speedText = readSmallFile(join(dir, 'speed'));
    const speed = speedText === undefined ? undefined : parseUsbSpeed(speedText);
    const bus = parseCounter(text(join(dir, 'busnum')) ?? '');
    const dev = parseCounter(text(join(dir, 'devnum')) ?? '');
    devices.push({
      id,
      ...(bus === undefined ? {} : { busNumber: bus }),
      ...(dev === undefined ? {} : { deviceNumber: dev }),
      vendorId,
      productId,
      ...optional('manufacturer', 'manufacturer'),
      ...optional('product', 'product'),
      ...(speed?.ok ? { speedBitsPerSecond: speed.value } : {}),
    });
  }
  return devices;
}

// A partition has a "partition" attribute in /sys/class/block/NAME; undefined when sysfs does not know the name.
export function isPartition(name: string, sysRoot = DEFAULT_SYS_ROOT): boolean | undefined {
  const dir = join(sysRoot, 'class', 'block', name);
  if (readSmallFile(join(dir, 'dev')) === undefined) return undefined;
  return readSmallFile(join(dir, 'partition')) !== undefined;
}

export interface ZramDevice {
  name: string;
  diskSizeBytes: number;
  // uncompressed data stored, its compressed size, and the memory the device uses in all
  originalDataBytes: number;
  compressedDataBytes: number;
  memoryUsedBytes: number;
}

// The zram devices in /sys/block (zram0, zram1, ...), in numeric order.
export function listZramDevices(sysRoot = DEFAULT_SYS_ROOT): string[] {
  return list(join(sysRoot, 'block')).filter((entry) => /^zram\d+$/.test(entry));
}

// mm_stat: orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages ...
// `read` lets a caller re-read through held descriptors; undefined when the device is gone or unreadable.
export function readZramDevice(name: string, sysRoot = DEFAULT_SYS_ROOT, read: (path: string) => string | undefined = readSmallFile): ZramDevice | undefined {
  const dir = join(sysRoot, 'block', name);
  const diskSizeBytes = parseCounter(read(join(dir, 'disksize'))?.trim() ?? '');
  const stats = (read(join(dir, 'mm_stat'))?.trim() ?? '').split(/\s+/, 3).map(parseCounter);
  const [originalDataBytes, compressedDataBytes, memoryUsedBytes] = stats;
  if (diskSizeBytes === undefined || originalDataBytes === undefined || compressedDataBytes === undefined || memoryUsedBytes === undefined) return undefined;
  return { name, diskSizeBytes, originalDataBytes, compressedDataBytes, memoryUsedBytes };
}

export function readZramDevices(sysRoot = DEFAULT_SYS_ROOT): ZramDevice[] {
  return listZramDevices(sysRoot).flatMap((name) => readZramDevice(name, sysRoot) ?? []);
}
