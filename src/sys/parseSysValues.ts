// Parsers for single-value sysfs attributes: temperatures, link and USB speeds.
import { parseDecimal } from './numbers.ts';
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

// thermal zones and hwmon report millidegrees Celsius ("45000\n"); some zones report negative values.
export function parseMillidegrees(text: string): ParseResult<number> {
  const value = parseInteger(text);
  if (value === undefined) return fail(`temperature: '${text.trim().slice(0, 30)}' is not an integer of millidegrees`);
  return ok(value / 1000);
}

// /sys/class/net/IF/speed is Mb/s; -1 (or an EINVAL read) means unknown, e.g. a virtual NIC.
export function parseLinkSpeed(text: string): ParseResult<number | undefined> {
  const value = parseInteger(text);
  if (value === undefined) return fail(`link speed: '${text.trim().slice(0, 30)}' is not an integer of Mb/s`);
  return ok(value > 0 ? value * 1e6 : undefined);
}

// /sys/bus/usb/devices/X/speed is Mb/s and may be fractional ("1.5" for low speed).
export function parseUsbSpeed(text: string): ParseResult<number> {
  const value = parseDecimal(text.trim());
  if (value === undefined || value < 0) return fail(`usb speed: '${text.trim().slice(0, 30)}' is not a number of Mb/s`);
  return ok(value * 1e6);
}

// /proc/uptime: "seconds-up idle-seconds-summed-over-cpus".
export function parseUptime(text: string): ParseResult<number> {
  const value = parseDecimal(text.trim().split(/\s+/)[0] ?? '');
  if (value === undefined || value < 0) return fail(`uptime: '${text.trim().slice(0, 30)}' does not start with seconds`);
  return ok(value);
}
