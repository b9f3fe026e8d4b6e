// The collector registry: consumers iterate over it instead of naming collectors.
import type { AnyCollectorDefinition } from './collector.ts';
import { cpuCollector } from './cpu.ts';
import { diskCollector } from './disks.ts';
import { memoryCollector } from './memory.ts';
import { networkCollector } from './network.ts';
import { pressureCollector } from './pressure.ts';
import { processCollector } from './processes.ts';
import { systemCollector } from './system.ts';
import { temperatureCollector } from './temperatures.ts';
import { usbCollector } from './usb.ts';

// Order is the order of the readable summary.
export const collectorRegistry: readonly AnyCollectorDefinition[] = [
  systemCollector,
  cpuCollector,
  pressureCollector,
  memoryCollector,
  temperatureCollector,
  diskCollector,
  networkCollector,
  usbCollector,
  processCollector,
];

export const collectorNames: readonly string[] = collectorRegistry.map((c) => c.name);

export function findCollector(name: string): AnyCollectorDefinition | undefined {
  return collectorRegistry.find((c) => c.name === name);
}
