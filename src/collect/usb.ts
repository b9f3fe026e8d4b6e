// USB collector: devices from /sys/bus/usb/devices, and USB timeouts and resets read from /dev/kmsg since it started.
import { readUptime } from '../sys/readHost.ts';
import { KmsgReader } from '../sys/readKmsg.ts';
import { type UsbDeviceInfo, readUsbDevices } from '../sys/readSys.ts';
import { type Collector, type CollectorDefinition, type CollectorEnvironment, type Tick, isDue } from './collector.ts';
import { classifyUsbRecord, mentionsUsbDevice } from './usbEvents.ts';
import type { UsbEvent, UsbMetrics } from './types.ts';

const MAX_RECENT_EVENTS = 20;
// The kernel log is read this often: an empty read costs an exception (EAGAIN) and most of this
// collector's time every tick, and a USB problem shown 5 s later is still in time. Records wait in
// the kernel's ring buffer meanwhile; their times come from the kernel, not from the read.
const LOG_POLL_MS = 5000;
// Device attributes do not change while plugged in; re-read on plug events and at least this often.
const DEVICE_REFRESH_MS = 30_000;

interface TimedEvent extends UsbEvent {
  atMs: number;
}

class UsbCollector implements Collector<'usb'> {
  private readonly env: CollectorEnvironment;
  private readonly reader: KmsgReader;
  private events: TimedEvent[] = [];
  private devices: UsbDeviceInfo[] = [];
  private devicesReadAtMs: number | undefined;
  private logPolledAtMs: number | undefined;

  constructor(env: CollectorEnvironment) {
    this.env = env;
    this.reader = new KmsgReader(env.kmsgPath);
  }

  // Kernel timestamps are seconds since boot; wall time = now - (uptime - timestamp).
  private readLog(tick: Tick): { fresh: TimedEvent[]; plugged: boolean } {
    if (!isDue(this.logPolledAtMs, tick, LOG_POLL_MS)) return { fresh: [], plugged: false };
    this.logPolledAtMs = tick.monotonicMs;
    const records = this.reader.poll();
    if (records.length === 0) return { fresh: [], plugged: false };
    const uptime = readUptime(this.env.procRoot);
    const fresh: TimedEvent[] = [];
    let plugged = false;
    for (const record of records) {
      plugged ||= mentionsUsbDevice(record);
      const event = classifyUsbRecord(record);
      if (!event) continue;
      const atMs = uptime.ok ? Math.min(tick.wallMs, tick.wallMs - (uptime.value - record.monotonicSeconds) * 1000) : tick.wallMs;
      fresh.push({ ...event, message: record.message, atMs, time: new Date(atMs).toISOString() });
    }
    return { fresh, plugged };
  }

  collect(tick: Tick): UsbMetrics {
    const { fresh, plugged } = this.readLog(tick);
    const holdMs = this.env.usbTimeoutHoldSeconds * 1000;
    this.events = [...this.events, ...fresh].filter((e) => tick.wallMs - e.atMs <= holdMs).slice(-MAX_RECENT_EVENTS);
    if (plugged || isDue(this.devicesReadAtMs, tick, DEVICE_REFRESH_MS)) {
      this.devices = readUsbDevices(this.env.sysRoot);
      this.devicesReadAtMs = tick.monotonicMs;
    }
    const timeouts = this.events.filter((e) => e.kind === 'timeout');
    const last = this.events.at(-1);
    return {
      devices: this.devices.map((device) => {
        const own = timeouts.filter((e) => e.deviceId === device.id).at(-1);
        return { ...device, hasTimeout: own !== undefined, ...(own ? { lastMessage: own.message } : {}) };
      }),
      kernelLogReadable: this.reader.isOpen,
      hasTimeout: timeouts.length > 0,
      timeoutsInInterval: fresh.filter((e) => e.kind === 'timeout').length,
      resetsInInterval: fresh.filter((e) => e.kind === 'reset').length,
      ...(last ? { lastMessage: last.message, lastEventTime: last.time } : {}),
      recentEvents: this.events.map(({ atMs: _atMs, ...event }) => event),
    };
  }

  close(): void {
    this.reader.close();
  }
}

export const usbCollector: CollectorDefinition<'usb'> = {
  name: 'usb',
  description: 'USB devices (id, vendor:product, names, speed) and USB timeouts/resets from the kernel log',
  defaultEnabled: true,
  create: (env) => new UsbCollector(env),
  summarize: (usb) => [
    `USB       ${usb.devices.length} devices${usb.devices.length > 0 ? `: ${usb.devices.map((d) => `${d.id} ${d.vendorId}:${d.productId}${d.product ? ` ${d.product}` : ''}`).join(', ')}` : ''}`,
    `          ${usb.kernelLogReadable ? (usb.hasTimeout ? `TIMEOUT: ${usb.lastMessage ?? ''}` : 'no timeouts in the kernel log') : 'kernel log not readable: timeouts unknown'}`,
  ],
};
