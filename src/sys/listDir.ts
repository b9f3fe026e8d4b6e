// Directory listings of sysfs in numeric name order (zram2 before zram10), empty when the directory is absent.
import { readdirSync } from 'node:fs';

// One collator for every listing: localeCompare with a locale and options builds a new ICU
// collator per comparison, and sorting /sys/block's 13 names that way cost 0.1 ms a tick.
const byNumericName = new Intl.Collator('en', { numeric: true }).compare;

export function listSorted(dir: string): string[] {
  try {
    return readdirSync(dir).sort(byNumericName);
  } catch {
    return [];
  }
}
