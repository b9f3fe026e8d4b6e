// What the daemon's own observations alert on: anomaly episodes (opened -> fired, closed ->
// resolved), collectors that fail, USB timeouts. Pure: given what happened, which alerts to raise
// and which keys to resolve; the daemon hands them to the alert system.
import type { NewAlert } from '../alert/model.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Episode } from '../detect/rules.ts';

export interface AlertChanges {
  raise: NewAlert[];
  resolve: string[];
}

const DISK_METRICS = new Set(['disk_used_percent', 'disk_inodes_used_percent']);

export const episodeKey = (episode: Episode): string => `episode:${episode.id}`;

function episodeType(episode: Episode): NewAlert['type'] {
  if (DISK_METRICS.has(episode.metric)) return 'DISK_FULL';
  if (episode.severity === 'critical' && (episode.category === 'cpu' || episode.category === 'memory')) return 'RESOURCE_CRITICAL';
  return 'ANOMALY';
}

export function episodeAlert(episode: Episode): NewAlert {
  const where = episode.entity === undefined ? '' : ` (${episode.entity})`;
  return {
    type: episodeType(episode),
    severity: episode.severity,
    title: `${episode.rule}${where}`,
    message: episode.message,
    context: { episodeId: episode.id, rule: episode.rule, metric: episode.metric, entity: episode.entity, value: episode.lastValue, peak: episode.peakValue, reference: episode.reference, triggerValues: episode.triggerValues },
    dedupKey: episodeKey(episode),
  };
}

// Remembers which collectors failed and whether a USB timeout is being reported, so each raises
// once and resolves when it clears.
export class SnapshotAlerts {
  private readonly failing = new Set<string>();
  private usbTimeout = false;

  changes(snapshot: MetricsSnapshot): AlertChanges {
    const raise: NewAlert[] = [];
    const resolve: string[] = [];
    const failedNow = new Map((snapshot.errors ?? []).map((e) => [e.collector, e.message]));
    for (const [collector, message] of failedNow) {
      if (this.failing.has(collector)) continue;
      this.failing.add(collector);
      raise.push({ type: 'COLLECTOR_FAILED', severity: 'warning', title: `collector ${collector} failed`, message: `The ${collector} collector failed: ${message}. Its metrics are missing until it recovers.`, context: { collector, error: message }, dedupKey: `collector:${collector}` });
    }
    for (const collector of [...this.failing]) {
      if (failedNow.has(collector)) continue;
      this.failing.delete(collector);
      resolve.push(`collector:${collector}`);
    }
    const usb = snapshot.usb;
    if (usb?.hasTimeout && !this.usbTimeout) {
      this.usbTimeout = true;
      const devices = usb.devices.filter((d) => d.hasTimeout).map((d) => `${d.id}${d.product ? ` ${d.product}` : ''}`);
      raise.push({ type: 'USB_TIMEOUT', severity: 'warning', title: 'USB device timeout', message: `The kernel logged a USB timeout${devices.length > 0 ? ` for ${devices.join(', ')}` : ''}: ${usb.lastMessage ?? '(no message)'}`, context: { devices, lastMessage: usb.lastMessage, lastEventTime: usb.lastEventTime, timeouts: usb.timeoutsInInterval, resets: usb.resetsInInterval }, dedupKey: 'usb-timeout' });
    } else if (usb && !usb.hasTimeout && this.usbTimeout) {
      this.usbTimeout = false;
      resolve.push('usb-timeout');
    }
    return { raise, resolve };
  }
}
