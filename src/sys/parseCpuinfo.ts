// Parser for /proc/cpuinfo: CPU model name and logical/physical core counts.
import { type ParseResult, fail, ok } from './result.ts';

export interface CpuInfo {
  modelName: string;
  logicalCpus: number;
  // distinct (physical id, core id) pairs; equals logicalCpus where the kernel omits topology (e.g. arm64)
  physicalCores: number;
}

export function parseCpuinfo(text: string): ParseResult<CpuInfo> {
  let logicalCpus = 0;
  let modelName = '';
  const cores = new Set<string>();
  // Blank lines separate processors; topology keys may be absent.
  for (const block of text.split(/\n\s*\n/)) {
    const keys = new Map<string, string>();
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) keys.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    if (!keys.has('processor')) continue;
    logicalCpus++;
    modelName ||= keys.get('model name') ?? keys.get('Model') ?? keys.get('cpu model') ?? '';
    const physical = keys.get('physical id');
    const core = keys.get('core id');
    if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
  }
  if (logicalCpus === 0) return fail("cpuinfo: no 'processor' entry");
  return ok({ modelName: modelName || 'unknown', logicalCpus, physicalCores: cores.size > 0 ? cores.size : logicalCpus });
}
