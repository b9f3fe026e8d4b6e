// Short fixed-width text for the terminal UI: sizes, rates, percentages, ages and clock times.

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

// 1024-based, at most 5 characters: "999B", "12.3K", "1.2G", "512M".
export function shortBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-';
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)}B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}${UNITS[unit]}`;
}

export function shortRate(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '-' : `${shortBytes(bytesPerSecond)}/s`;
}

export function percentText(percent: number | undefined, digits = 1): string {
  return percent === undefined || !Number.isFinite(percent) ? '-' : `${percent.toFixed(digits)}%`;
}

// "4s", "3m 20s", "2h 5m", "3d 4h".
export function ageText(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

// Local wall-clock time HH:MM:SS.
export function clockText(timeMs: number): string {
  const date = new Date(timeMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

// Cuts text to width (marking the cut with "~") or pads it with spaces to width.
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '~' : `${text.slice(0, width - 1)}~`;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}
