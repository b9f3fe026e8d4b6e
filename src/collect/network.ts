// Network collector: per-interface traffic rates, errors and drops (/proc/net/dev) and link state (/sys/class/net).
import type { DirectionCounters, InterfaceCounters } from '../sys/parseNetDev.ts';
import type { HeldFileReader } from '../sys/heldFiles.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import { readNetDev } from '../sys/readHost.ts';
import { type NetLink, netOperStatePath, readNetLink, readNetOperState } from '../sys/readSys.ts';
import { type Collector, type CollectorDefinition, type CollectorEnvironment, type Tick, isDue, secondsSince } from './collector.ts';
import { formatRate } from './format.ts';
import { counterRate, defined, round } from './rates.ts';
import type { NetworkMetrics, TrafficMetrics } from './types.ts';

function traffic(current: DirectionCounters, previous: DirectionCounters | undefined, seconds: number | undefined): TrafficMetrics {
  const rate = (pick: (d: DirectionCounters) => number): number | undefined => {
    const value = counterRate(previous && pick(previous), pick(current), seconds);
    return value === undefined ? undefined : round(value);
  };
  return {
    ...current,
    ...defined('bytesPerSecond', rate((d) => d.bytes)),
    ...defined('packetsPerSecond', rate((d) => d.packets)),
    ...defined('errorsPerSecond', rate((d) => d.errors)),
    ...defined('dropsPerSecond', rate((d) => d.drops)),
  };
}

// Speed and MTU change only with the link: re-read them when the state changes, else this often.
const LINK_REFRESH_MS = 30_000;

class NetworkCollector implements Collector<'network'> {
  private readonly env: CollectorEnvironment;
  private previous: { tick: Tick; byName: Map<string, InterfaceCounters> } | undefined;
  private readonly links = new Map<string, { link: NetLink; readAtMs: number }>();
  private readonly procFiles: HeldFileReader;
  // operstate through held descriptors; one follows its device through a rename, so it is
  // reopened by name whenever the link is re-read (the staleness speed and MTU have anyway).
  private readonly sysFiles: HeldFileReader;

  private link(name: string, tick: Tick): NetLink | undefined {
    const cached = this.links.get(name);
    const operState = readNetOperState(name, this.env.sysRoot, (path) => this.sysFiles.read(path));
    if (operState === undefined) {
      this.links.delete(name);
      return undefined;
    }
    if (cached && cached.link.operState === operState && !isDue(cached.readAtMs, tick, LINK_REFRESH_MS)) return cached.link;
    this.sysFiles.release(netOperStatePath(name, this.env.sysRoot));
    const link = readNetLink(name, this.env.sysRoot);
    if (link) this.links.set(name, { link, readAtMs: tick.monotonicMs });
    else this.links.delete(name);
    return link;
  }

  constructor(env: CollectorEnvironment) {
    this.env = env;
    this.procFiles = kernelFileReader(env.procRoot);
    this.sysFiles = kernelFileReader(env.sysRoot);
  }

  collect(tick: Tick): NetworkMetrics {
    const result = readNetDev(this.env.procRoot, (path) => this.procFiles.read(path));
    if (!result.ok) throw new Error(result.error);
    const seconds = secondsSince(this.previous?.tick, tick);
    const before = this.previous?.byName;
    // An interface that vanished drops out here; one that appears has no rates until its second read.
    this.previous = { tick, byName: new Map(result.value.map((i) => [i.name, i])) };
    const interfaces = result.value.map((counters) => {
      const old = before?.get(counters.name);
      const link = this.link(counters.name, tick);
      return {
        name: counters.name,
        ...(link ?? {}),
        receive: traffic(counters.receive, old?.receive, seconds),
        transmit: traffic(counters.transmit, old?.transmit, seconds),
      };
    });
    // What is held for interfaces that vanished is let go.
    for (const name of before?.keys() ?? []) if (!this.previous.byName.has(name)) this.forget(name);
    return { interfaces };
  }

  private forget(name: string): void {
    this.links.delete(name);
    this.sysFiles.release(netOperStatePath(name, this.env.sysRoot));
  }

  close(): void {
    this.procFiles.close();
    this.sysFiles.close();
  }
}

export const networkCollector: CollectorDefinition<'network'> = {
  name: 'network',
  description: 'Per-interface receive/transmit bytes/s, packets/s, errors, drops, link state and speed',
  defaultEnabled: true,
  create: (env) => new NetworkCollector(env),
  summarize: (network) =>
    network.interfaces.map(
      (i) =>
        `Network   ${i.name} (${i.operState ?? '?'}${i.speedBitsPerSecond ? `, ${i.speedBitsPerSecond / 1e6} Mb/s` : ''}): rx ${formatRate(i.receive.bytesPerSecond)}, tx ${formatRate(i.transmit.bytesPerSecond)}, errors ${i.receive.errors + i.transmit.errors}, drops ${i.receive.drops + i.transmit.drops}`,
    ),
};
