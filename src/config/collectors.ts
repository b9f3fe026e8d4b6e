// [collectors]: which collectors run (defaults from the registry) and their few settings.
import { z } from 'zod';
import { collectorRegistry } from '../collect/registry.ts';
import { durationSchema } from './duration.ts';

const switches: Record<string, z.ZodDefault<z.ZodBoolean>> = Object.fromEntries(
  collectorRegistry.map((c) => [c.name, z.boolean().default(c.defaultEnabled).describe(c.description)]),
);

export const collectorsSchema = z
  .strictObject({
    ...switches,
    top_processes: z.number().int().min(0).max(1000).default(10).describe('rows in each process top list (CPU, memory, I/O)'),
    usb_timeout_hold: durationSchema('how long a USB timeout keeps usb.hasTimeout true').prefault('5m'),
  })
  .transform((section) => ({
    enabled: Object.fromEntries(collectorRegistry.map((c) => [c.name, (section as Record<string, unknown>)[c.name] === true])),
    topProcesses: section.top_processes,
    usbTimeoutHoldSeconds: section.usb_timeout_hold / 1000,
  }));
