// The memory, pressure and temperature panels' lines.
import type { MetricsSnapshot, PressureStall } from '../../collect/types.ts';
import { percentText, shortBytes } from '../format.ts';
import { isMemoryLevel, levelTone, type MemoryLevel, memoryLevel, percentTone } from '../levels.ts';
import { dim, type Line, packItems, plain, toned, withOptional } from '../lines.ts';
import type { HostEvent } from '../../events/model.ts';

// The guard's own level, from its latest guard_level event, when the daemon reports one.
export function guardLevel(events: readonly HostEvent[] | undefined): MemoryLevel | undefined {
  const latest = events?.find((event) => event.type === 'guard_level');
  const to = latest?.data.to ?? latest?.data.level;
  return isMemoryLevel(to) ? to : undefined;
}

export function memoryLines(snapshot: MetricsSnapshot | undefined, events: readonly HostEvent[] | undefined, width: number): Line[] {
  const memory = snapshot?.memory;
  if (!memory) return [[plain('no memory data')]];
  const fromGuard = guardLevel(events);
  const level = fromGuard ?? memoryLevel(memory.usedPercent);
  const swap: Line =
    memory.swapTotalBytes === 0
      ? [plain('swap none')]
      : [plain('swap '), toned(percentText(memory.swapUsedPercent), percentTone(memory.swapUsedPercent, 50, 80)), plain(` ${shortBytes(memory.swapUsedBytes)}/${shortBytes(memory.swapTotalBytes)}`)];
  const first: Line = [
    toned(percentText(memory.usedPercent).padStart(6), percentTone(memory.usedPercent, 75, 95)),
    plain(' '),
    toned(`[${level}]`, levelTone(level), level !== 'NORMAL'),
    ...(fromGuard ? [dim(' guard')] : []),
    plain(` ${shortBytes(memory.usedBytes)}/${shortBytes(memory.totalBytes)} avail ${shortBytes(memory.availableBytes)}  `),
    ...swap,
  ];
  const extra: Line[] = [[plain(`cache ${shortBytes(memory.cachedBytes)}`)], [plain(`buf ${shortBytes(memory.buffersBytes)}`)], [plain(`shm ${shortBytes(memory.sharedBytes)}`)]];
  for (const zram of memory.zram) extra.push([plain(`${zram.name} ${shortBytes(zram.originalDataBytes)}->${shortBytes(zram.compressedDataBytes)}`)]);
  const cgroup = memory.cgroup;
  if (cgroup) {
    const limit = cgroup.limitBytes === undefined ? 'no limit' : `of ${shortBytes(cgroup.limitBytes)} ${percentText(cgroup.usedPercent)}`;
    extra.push([plain(`cgroup ${shortBytes(cgroup.workingSetBytes)} ${limit}`)]);
  }
  return [withOptional(first, extra.slice(0, 1), width), ...packItems(extra.slice(1), width)];
}

function stall(name: string, value: number | undefined): Line {
  return [plain(`${name} `), toned(value === undefined ? '-' : value.toFixed(1), percentTone(value, 10, 40))];
}

export function pressureLines(snapshot: MetricsSnapshot | undefined, width: number): Line[] {
  const pressure = snapshot?.pressure;
  if (!pressure) return [[plain('no pressure data (/proc/pressure)')]];
  const some = (p: PressureStall | undefined): number | undefined => p?.some.avg10Percent;
  const full = (p: PressureStall | undefined): number | undefined => p?.full?.avg10Percent;
  const items: Line[] = [
    [plain('some'), plain(' '), ...stall('cpu', some(pressure.cpu)), plain(' '), ...stall('mem', some(pressure.memory)), plain(' '), ...stall('io', some(pressure.io))],
    [plain('full'), plain(' '), ...stall('mem', full(pressure.memory)), plain(' '), ...stall('io', full(pressure.io))],
    [dim('% of 10 s')],
  ];
  return packItems(items, width);
}

export function temperatureLines(snapshot: MetricsSnapshot | undefined, width: number): Line[] {
  const temperatures = snapshot?.temperatures;
  if (!temperatures) return [[plain('no temperature data')]];
  if (temperatures.sensors.length === 0) return [[dim('no sensors')]];
  const sorted = [...temperatures.sensors].sort((a, b) => b.celsius - a.celsius);
  const items = sorted.map((sensor): Line => {
    const critical = sensor.criticalCelsius ?? 85;
    const tone = sensor.celsius >= critical ? 'critical' : sensor.celsius >= critical - 10 ? 'warning' : 'ok';
    return [plain(`${sensor.label || sensor.sensor} `), toned(`${sensor.celsius.toFixed(0)}C`, tone)];
  });
  return packItems(items, width);
}
