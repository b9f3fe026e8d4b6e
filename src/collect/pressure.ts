// Pressure collector: PSI some/full averages and totals for cpu, memory and io, where /proc/pressure exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HeldFileReader } from '../sys/heldFiles.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import type { PressureLine } from '../sys/parsePressure.ts';
import { readPressure } from '../sys/readProc.ts';
import type { CollectorDefinition, CollectorEnvironment } from './collector.ts';
import { formatPercent } from './format.ts';
import type { PressureMetrics, PressureStall, PressureWindow } from './types.ts';

const RESOURCES = ['cpu', 'memory', 'io'] as const;

function window(line: PressureLine): PressureWindow {
  return { avg10Percent: line.avg10, avg60Percent: line.avg60, avg300Percent: line.avg300, totalSeconds: line.totalMicroseconds / 1e6 };
}

function collectPressure(env: CollectorEnvironment, files: HeldFileReader): PressureMetrics {
  const metrics: PressureMetrics = {};
  for (const resource of RESOURCES) {
    const result = readPressure(resource, env.procRoot, (path) => files.read(path));
    if (!result.ok) continue;
    const stall: PressureStall = { some: window(result.value.some) };
    if (result.value.full) stall.full = window(result.value.full);
    metrics[resource] = stall;
  }
  return metrics;
}

export const pressureCollector: CollectorDefinition<'pressure'> = {
  name: 'pressure',
  description: 'Pressure stall information (PSI) for cpu, memory and io',
  defaultEnabled: true,
  create: (env) => {
    // PSI is on or off from boot (psi= on the kernel command line): without /proc/pressure now,
    // there will be none, and three failed opens a tick would cost more than the rest.
    if (!existsSync(join(env.procRoot, 'pressure'))) return { collect: () => ({}), close: () => {} };
    const files = kernelFileReader(env.procRoot);
    return { collect: () => collectPressure(env, files), close: () => files.close() };
  },
  summarize: (pressure) => {
    const parts = RESOURCES.flatMap((resource) => {
      const stall = pressure[resource];
      return stall ? [`${resource} some ${formatPercent(stall.some.avg10Percent)}${stall.full ? ` full ${formatPercent(stall.full.avg10Percent)}` : ''}`] : [];
    });
    return [`Pressure  ${parts.length > 0 ? `${parts.join('; ')} (avg10)` : 'not available (no /proc/pressure)'}`];
  },
};
