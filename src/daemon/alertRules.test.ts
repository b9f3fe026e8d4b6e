import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Episode } from '../detect/rules.ts';
import { SnapshotAlerts, episodeAlert, episodeKey } from './alertRules.ts';

const episode = (over: Partial<Episode>): Episode => ({ id: 'e1', rule: 'memory-critical', metric: 'memory_used_percent', category: 'memory', severity: 'critical', startMs: 0, endMs: null, peakValue: 97, peakMs: 0, lastValue: 96, reference: 95, message: 'memory used 96 % > 95 % for 10 s', triggerValues: [], ...over });
const snapshot = (over: Partial<MetricsSnapshot>): MetricsSnapshot => ({ timestampMs: 0, ...over }) as MetricsSnapshot;
const usb = (hasTimeout: boolean) => ({ devices: [{ id: '1-1', vendorId: '046d', productId: '0825', product: 'Camera', hasTimeout }], kernelLogReadable: true, hasTimeout, timeoutsInInterval: hasTimeout ? 1 : 0, resetsInInterval: 0, lastMessage: 'usb 1-1: device descriptor read/64, error -110', recentEvents: [] });

describe('episodeAlert', () => {
  it('types an episode by what it is about, keyed by the episode so that its close resolves it', () => {
    expect(episodeAlert(episode({}))).toMatchObject({ type: 'RESOURCE_CRITICAL', severity: 'critical', dedupKey: 'episode:e1', message: 'memory used 96 % > 95 % for 10 s', context: { value: 96, peak: 97, reference: 95 } });
    expect(episodeAlert(episode({ metric: 'disk_used_percent', category: 'disk', entity: '/var', severity: 'warning' }))).toMatchObject({ type: 'DISK_FULL', severity: 'warning', title: 'memory-critical (/var)' });
    expect(episodeAlert(episode({ severity: 'warning' })).type).toBe('ANOMALY');
    expect(episodeAlert(episode({ category: 'temperature', metric: 'temperature_celsius' })).type).toBe('ANOMALY');
    expect(episodeKey(episode({ id: 'x' }))).toBe('episode:x');
  });
});

describe('SnapshotAlerts', () => {
  it('raises COLLECTOR_FAILED once per failing collector and resolves it when the collector works again', () => {
    const rules = new SnapshotAlerts();
    const failing = snapshot({ errors: [{ collector: 'disks', message: 'statfs /mnt: EIO' }] });
    const first = rules.changes(failing);
    expect(first.raise).toHaveLength(1);
    expect(first.raise[0]).toMatchObject({ type: 'COLLECTOR_FAILED', severity: 'warning', dedupKey: 'collector:disks', context: { error: 'statfs /mnt: EIO' } });
    expect(rules.changes(failing)).toEqual({ raise: [], resolve: [] });
    expect(rules.changes(snapshot({}))).toEqual({ raise: [], resolve: ['collector:disks'] });
  });

  it('raises USB_TIMEOUT naming the device while the collector reports one, and resolves it after', () => {
    const rules = new SnapshotAlerts();
    const raised = rules.changes(snapshot({ usb: usb(true) }));
    expect(raised.raise[0]).toMatchObject({ type: 'USB_TIMEOUT', dedupKey: 'usb-timeout', context: { devices: ['1-1 Camera'] } });
    expect(raised.raise[0]?.message).toContain('error -110');
    expect(rules.changes(snapshot({ usb: usb(true) })).raise).toEqual([]);
    expect(rules.changes(snapshot({ usb: usb(false) })).resolve).toEqual(['usb-timeout']);
  });
});
