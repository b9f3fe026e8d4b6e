// System information collector: hostname, OS release, kernel, architecture, CPU model and cores, boot time, uptime.
import { join } from 'node:path';
import { parseOsRelease } from '../sys/parseOsRelease.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import { readCpuinfo, readLine, readParsedFile, readProcStat, readUptime } from '../sys/readHost.ts';
import { type CollectorDefinition, type CollectorEnvironment, type Tick, isDue } from './collector.ts';
import { formatSeconds } from './format.ts';
import type { SystemInfo } from './types.ts';

// Node's names for the architectures it runs on, as uname -m prints them.
const UNAME_MACHINE: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loongarch64' };

// Hostname and uptime are read again this often: a renamed host shows within that time, and
// reading two files every tick cost more than the rest of this collector.
const REREAD_MS = 10_000;

// What does not change while the machine is up; read once.
function staticInfo(env: CollectorEnvironment): Omit<SystemInfo, 'hostname' | 'uptimeSeconds'> {
  const os = readParsedFile(join(env.etcRoot, 'os-release'), parseOsRelease);
  const cpu = readCpuinfo(env.procRoot);
  const stat = readProcStat(env.procRoot, env.clockTicksPerSecond);
  return {
    osName: os.ok ? os.value.prettyName : 'unknown',
    osId: os.ok ? os.value.id : 'unknown',
    ...(os.ok && os.value.versionId !== undefined ? { osVersion: os.value.versionId } : {}),
    kernelRelease: readLine(join(env.procRoot, 'sys', 'kernel', 'osrelease')) ?? 'unknown',
    // sys/kernel/arch exists since Linux 6.1; before that, the running Node knows.
    architecture: readLine(join(env.procRoot, 'sys', 'kernel', 'arch')) ?? UNAME_MACHINE[process.arch] ?? process.arch,
    cpuModel: cpu.ok ? cpu.value.modelName : 'unknown',
    logicalCpus: cpu.ok ? cpu.value.logicalCpus : 0,
    physicalCores: cpu.ok ? cpu.value.physicalCores : 0,
    bootTimeSeconds: stat.ok ? stat.value.bootTimeSeconds : 0,
  };
}

export const systemCollector: CollectorDefinition<'system'> = {
  name: 'system',
  description: 'Hostname, OS release, kernel, architecture, CPU model and cores, boot time, uptime',
  defaultEnabled: true,
  create: (env) => {
    const fixed = staticInfo(env);
    const files = kernelFileReader(env.procRoot);
    const read = (path: string): string | undefined => files.read(path);
    const hostnamePath = join(env.procRoot, 'sys', 'kernel', 'hostname');
    // Hostname and uptime are re-read every REREAD_MS; in between, uptime advances with the
    // monotonic clock (both stop in suspend, after which the next re-read corrects it).
    let last: { atMs: number; hostname: string; uptimeSeconds: number } | undefined;
    return {
      collect: (tick: Tick): SystemInfo => {
        if (last === undefined || isDue(last.atMs, tick, REREAD_MS)) {
          const uptime = readUptime(env.procRoot, read);
          if (!uptime.ok) throw new Error(uptime.error);
          last = { atMs: tick.monotonicMs, hostname: read(hostnamePath)?.trim() ?? 'unknown', uptimeSeconds: uptime.value };
        }
        const uptimeSeconds = Math.round((last.uptimeSeconds + (tick.monotonicMs - last.atMs) / 1000) * 100) / 100;
        return { hostname: last.hostname, ...fixed, uptimeSeconds };
      },
      close: () => files.close(),
    };
  },
  summarize: (system) => [
    `System    ${system.hostname}: ${system.osName}, Linux ${system.kernelRelease} ${system.architecture}, ${system.cpuModel} (${system.logicalCpus} CPUs, ${system.physicalCores} cores), up ${formatSeconds(system.uptimeSeconds)}`,
  ],
};
