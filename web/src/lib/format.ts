// How numbers and times read on the dashboard: binary byte units, rates, percentages, local clock
// times; "-" for a value the daemon does not know (absent is not zero).
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export const UNKNOWN = '-';

function known(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

// Three significant digits at most: 999 B, 1.00 KiB, 15.3 MiB, 244 GiB.
export function formatBytes(bytes: number | null | undefined): string {
  if (!known(bytes)) return UNKNOWN;
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number | null | undefined): string {
  return known(bytesPerSecond) ? `${formatBytes(bytesPerSecond)}/s` : UNKNOWN;
}

export function formatPercent(percent: number | null | undefined, digits = 1): string {
  return known(percent) ? `${percent.toFixed(digits)} %` : UNKNOWN;
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  return known(value) ? value.toFixed(digits) : UNKNOWN;
}

export function formatCelsius(celsius: number | null | undefined): string {
  return known(celsius) ? `${celsius.toFixed(1)} \u00b0C` : UNKNOWN;
}

const pad = (n: number): string => String(n).padStart(2, '0');

// HH:MM:SS in the browser's time zone.
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// YYYY-MM-DD HH:MM:SS in the browser's time zone.
export function dateTime(ms: number | null | undefined): string {
  if (!known(ms)) return UNKNOWN;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clockTime(ms)}`;
}

// The two largest units: 3d 4h, 5h 12m, 7m 3s, 42s.
export function formatDuration(seconds: number | null | undefined): string {
  if (!known(seconds) || seconds < 0) return UNKNOWN;
  const parts: Array<[number, string]> = [[Math.floor(seconds / 86_400), 'd'], [Math.floor(seconds / 3600) % 24, 'h'], [Math.floor(seconds / 60) % 60, 'm'], [Math.floor(seconds) % 60, 's']];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  return parts.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0).map(([n, u]) => `${n}${u}`).join(' ');
}

// What a chart's values are: percent100 is a share of a whole (the axis always shows 0-100).
export type ValueUnit = 'percent' | 'percent100' | 'bytesPerSecond' | 'ratio' | 'celsius';

// Axis ticks and legend values: short.
export function formatAxisValue(unit: ValueUnit, value: number): string {
  if (unit === 'bytesPerSecond') return `${formatBytes(value)}/s`;
  if (unit === 'percent' || unit === 'percent100') return `${formatNumber(value, value < 10 && value !== 0 ? 1 : 0)}%`;
  if (unit === 'celsius') return `${formatNumber(value, 0)}\u00b0`;
  return formatNumber(value, 2);
}
