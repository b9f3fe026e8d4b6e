// Readers for a collector's fixed kernel files (/proc/stat, /proc/meminfo, sysfs and cgroup
// attributes): held descriptors re-read with pread at offset 0, which makes the kernel regenerate
// the text and saves the open and close of every tick.
import { statfsSync } from 'node:fs';
import { HeldFileReader } from './heldFiles.ts';

// PROC_SUPER_MAGIC, SYSFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC (include/uapi/linux/magic.h).
const KERNEL_FS_MAGICS = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270]);

// Whether path lies on procfs, sysfs or a cgroup filesystem (a fixture tree does not).
export function isKernelFilesystem(path: string): boolean {
  try {
    return KERNEL_FS_MAGICS.has(statfsSync(path).type);
  } catch {
    return false;
  }
}

// Holds descriptors only under a kernel filesystem: in a fixture tree a test may replace a file,
// and a held descriptor would keep reading the old one. A kernel file that vanished (a removed
// device or cgroup) fails its next read, and the reader opens the path afresh.
export function kernelFileReader(root: string, maxHeld = 64): HeldFileReader {
  return new HeldFileReader(isKernelFilesystem(root) ? maxHeld : 0, { readToEnd: true });
}
