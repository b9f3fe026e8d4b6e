// The disk and network panels' lines: filesystems (space), block devices (I/O), interfaces (rates).
import type { InterfaceMetrics, MetricsSnapshot } from '../../collect/types.ts';
import { percentText, shortBytes, shortRate } from '../format.ts';
import { percentTone } from '../levels.ts';
import { dim, type Line, packItems, plain, toned } from '../lines.ts';

// A long mount point keeps its end, where the distinguishing part is.
function mountName(path: string): string {
  return path.length <= 24 ? path : `~${path.slice(-23)}`;
}

export function diskLines(snapshot: MetricsSnapshot | undefined, width: number): Line[] {
  const disks = snapshot?.disks;
  if (!disks) return [[plain('no disk data')]];
  // Fullest first: a filling disk is what this panel is for.
  const filesystems = [...disks.filesystems].sort((a, b) => b.usedPercent - a.usedPercent);
  const items: Line[] = filesystems.map((fs) => [
    plain(`${mountName(fs.mountPoint)} `),
    toned(percentText(fs.usedPercent, 0), percentTone(fs.usedPercent, 80, 90)),
    plain(` ${shortBytes(fs.usedBytes)}/${shortBytes(fs.totalBytes)}`),
  ]);
  for (const device of disks.devices) {
    items.push([plain(`${device.name} r ${shortRate(device.readBytesPerSecond)} w ${shortRate(device.writtenBytesPerSecond)} `), toned(percentText(device.busyPercent, 0), percentTone(device.busyPercent, 60, 90))]);
  }
  return items.length === 0 ? [[dim('no filesystems')]] : packItems(items, width);
}

function totalRate(nic: InterfaceMetrics): number {
  return (nic.receive.bytesPerSecond ?? 0) + (nic.transmit.bytesPerSecond ?? 0);
}

export function networkLines(snapshot: MetricsSnapshot | undefined, width: number): Line[] {
  const network = snapshot?.network;
  if (!network) return [[plain('no network data')]];
  const up = (nic: InterfaceMetrics): boolean => nic.operState !== 'down';
  // Working interfaces by traffic, loopback after them, those that are down last.
  const sorted = [...network.interfaces].sort((a, b) => Number(up(b)) - Number(up(a)) || Number(a.name === 'lo') - Number(b.name === 'lo') || totalRate(b) - totalRate(a) || a.name.localeCompare(b.name));
  const items: Line[] = sorted.map((nic) => {
    if (!up(nic)) return [dim(`${nic.name} down`)];
    const errors = (nic.receive.errorsPerSecond ?? 0) + (nic.transmit.errorsPerSecond ?? 0) + (nic.receive.dropsPerSecond ?? 0) + (nic.transmit.dropsPerSecond ?? 0);
    return [plain(`${nic.name} rx ${shortRate(nic.receive.bytesPerSecond)} tx ${shortRate(nic.transmit.bytesPerSecond)}`), ...(errors > 0 ? [toned(` err ${errors.toFixed(0)}/s`, 'warning')] : [])];
  });
  return items.length === 0 ? [[dim('no interfaces')]] : packItems(items, width);
}
