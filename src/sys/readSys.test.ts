import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isPartition, readHwmonSensors, readNetLink, readThermalZones, readUsbDevices, readZramDevices } from './readSys.ts';

// Hand-made sysfs tree in the kernel's formats (this VM has no thermal, hwmon or USB); see its README.
const sysRoot = fileURLToPath(new URL('../../test/fixtures/collect-sys/', import.meta.url));

describe('readSys on the fixture tree', () => {
  it('reads thermal zones with their critical trip, skipping unreadable zones and cooling devices', () => {
    expect(readThermalZones(sysRoot)).toEqual([
      { source: 'thermal', sensor: 'thermal_zone0', label: 'x86_pkg_temp', celsius: 45, criticalCelsius: 100 },
      { source: 'thermal', sensor: 'thermal_zone1', label: 'acpitz', celsius: 27.8, criticalCelsius: 105 },
    ]);
  });

  it('reads hwmon temperatures, labels, critical values, and the old device/ layout', () => {
    expect(readHwmonSensors(sysRoot)).toEqual([
      { source: 'hwmon', sensor: 'coretemp/temp1', label: 'Package id 0', celsius: 47, criticalCelsius: 100 },
      { source: 'hwmon', sensor: 'coretemp/temp2', label: 'Core 0', celsius: 45, criticalCelsius: 100 },
      { source: 'hwmon', sensor: 'nvme/temp1', label: 'Composite', celsius: 38.85, criticalCelsius: 84.85 },
      { source: 'hwmon', sensor: 'it8728/temp1', label: 'it8728 temp1', celsius: -5 },
    ]);
  });

  it('returns empty lists, not errors, where the classes do not exist', () => {
    expect(readThermalZones('/nonexistent')).toEqual([]);
    expect(readHwmonSensors('/nonexistent')).toEqual([]);
    expect(readUsbDevices('/nonexistent')).toEqual([]);
  });

  it('reads link state; an unknown speed (-1 or no file) is left out', () => {
    expect(readNetLink('eth0', sysRoot)).toEqual({ operState: 'up', mtuBytes: 1400 });
    expect(readNetLink('lo', sysRoot)).toEqual({ operState: 'unknown', mtuBytes: 65536 });
    expect(readNetLink('nope', sysRoot)).toBeUndefined();
  });

  it('reads USB devices but not their interfaces', () => {
    const devices = readUsbDevices(sysRoot);
    expect(devices.map((d) => d.id)).toEqual(['1-1', '1-1.2', '2-1', '3-1', 'usb1']);
    expect(devices[0]).toEqual({ id: '1-1', busNumber: 1, deviceNumber: 2, vendorId: '046d', productId: 'c52b', manufacturer: 'Logitech', product: 'USB Receiver', speedBitsPerSecond: 12e6 });
    expect(devices[2]).toEqual({ id: '2-1', busNumber: 2, deviceNumber: 2, vendorId: '0bda', productId: '8153', speedBitsPerSecond: 5e9 });
    expect(devices[3]?.speedBitsPerSecond).toBe(1.5e6);
  });

  it('tells partitions from whole disks, and does not know unknown names', () => {
    expect(isPartition('vda', sysRoot)).toBe(false);
    expect(isPartition('vda1', sysRoot)).toBe(true);
    expect(isPartition('sdz', sysRoot)).toBeUndefined();
  });

  it('reads zram devices from mm_stat', () => {
    expect(readZramDevices(sysRoot)).toEqual([
      { name: 'zram0', diskSizeBytes: 0, originalDataBytes: 0, compressedDataBytes: 0, memoryUsedBytes: 0 },
      { name: 'zram1', diskSizeBytes: 8589934592, originalDataBytes: 4096000, compressedDataBytes: 1024000, memoryUsedBytes: 1200000 },
    ]);
  });
});
