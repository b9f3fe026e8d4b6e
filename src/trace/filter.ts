// Selects the processes a view shows: a pid and its descendants, a command name, a cgroup.
// A cgroup v2 directory is filtered in the kernel (bpftrace's cgroup id); a v1 one by reading
// /proc/PID/cgroup, a process that is already gone taking its parent's answer.
import { statfsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readPidCgroup } from '../sys/readProc.ts';
import type { ProcessTree } from './processTree.ts';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const CGROUP_ROOT = '/sys/fs/cgroup';

export type CgroupSelector = { version: 2; dir: string } | { version: 1; controller: string; path: string };

function fsType(dir: string): number | undefined {
  try {
    return statfsSync(dir).type;
  } catch {
    return undefined;
  }
}

// An absolute cgroup directory, or a path inside a hierarchy ("/mygroup" under memory/, unified/ or the v2 root).
export function resolveCgroup(path: string, root = CGROUP_ROOT): { ok: true; selector: CgroupSelector } | { ok: false; error: string } {
  const candidates = path.startsWith(`${root}/`) ? [path] : [join(root, 'memory', path), join(root, 'unified', path), join(root, path)];
  for (const dir of candidates) {
    const type = fsType(dir);
    if (type === undefined) continue;
    if (type === CGROUP2_SUPER_MAGIC) return { ok: true, selector: { version: 2, dir } };
    const [controller = '', ...rest] = relative(root, dir).split('/');
    if (controller !== '' && !controller.startsWith('..')) return { ok: true, selector: { version: 1, controller, path: `/${rest.join('/')}` } };
  }
  return { ok: false, error: `--cgroup: '${path}' is not a cgroup directory (looked at ${candidates.join(', ')})` };
}

export interface FilterOptions {
  pid?: number;
  comm?: string;
  // v1 only: v2 is filtered in the kernel by the tracer
  cgroupV1?: { controller: string; path: string };
  procRoot?: string;
}

export class ProcessFilter {
  private readonly options: FilterOptions;
  private readonly tree: ProcessTree;
  private readonly inCgroup = new Map<number, boolean>();

  constructor(options: FilterOptions, tree: ProcessTree) {
    this.options = options;
    this.tree = tree;
  }

  get active(): boolean {
    return this.options.pid !== undefined || this.options.comm !== undefined || this.options.cgroupV1 !== undefined;
  }

  // pid and ppid as the event has them (the tree may not know a process that is already gone).
  matches(pid: number, comm?: string, ppid?: number): boolean {
    const { options } = this;
    if (options.comm !== undefined && (comm ?? this.tree.get(pid)?.comm) !== options.comm) return false;
    if (options.pid !== undefined && !this.descends(pid, ppid, options.pid)) return false;
    if (options.cgroupV1 !== undefined && !this.inCgroupV1(pid, ppid, options.cgroupV1)) return false;
    return true;
  }

  private descends(pid: number, ppid: number | undefined, ancestor: number): boolean {
    if (pid === ancestor || ppid === ancestor) return true;
    const start = ppid ?? this.tree.get(pid)?.ppid;
    return start !== undefined && this.tree.chain(start).some((node) => node.pid === ancestor);
  }

  private inCgroupV1(pid: number, ppid: number | undefined, selector: { controller: string; path: string }): boolean {
    const known = this.inCgroup.get(pid);
    if (known !== undefined) return known;
    const memberships = readPidCgroup(pid, this.options.procRoot);
    let member: boolean;
    if (memberships) {
      // the directory names the hierarchy: "memory", "cpu,cpuacct", or "systemd" for name=systemd
      const path = memberships.find((m) => m.controllers.join(',') === selector.controller || m.controllers.includes(selector.controller) || m.controllers.includes(`name=${selector.controller}`))?.path;
      member = path !== undefined && (path === selector.path || path.startsWith(selector.path === '/' ? '/' : `${selector.path}/`));
    } else {
      const parent = ppid ?? this.tree.get(pid)?.ppid;
      member = parent !== undefined && this.inCgroup.get(parent) === true;
    }
    this.inCgroup.set(pid, member);
    return member;
  }

  // A pid seen exiting may come back as another process.
  forget(pid: number): void {
    this.inCgroup.delete(pid);
  }
}
