// Processes the graduated response and the protector never touch: pid 1, kernel threads, the guard,
// --avoid matches, and the protected list of names, users and cgroups.
import { type ParseResult, fail, ok, parseInteger } from '../../sys/result.ts';
import { isWithin } from './cgroupOps.ts';

export interface ProtectedList {
  // Exact comm or basename of argv[0].
  names: string[];
  uids: number[];
  // Paths inside the cgroup hierarchies: a process in one of them or below is protected.
  cgroups: string[];
}

export const EMPTY_PROTECTED: ProtectedList = { names: [], uids: [], cgroups: [] };

// /etc/passwd: name:password:uid:...; malformed lines are skipped.
export function parsePasswd(text: string): Map<string, number> {
  const users = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , uidText] = line.split(':');
    const uid = parseInteger(uidText ?? '');
    if (name && uid !== undefined && uid >= 0) users.set(name, uid);
  }
  return users;
}

export interface ProtectedSpec {
  names?: string[];
  users?: string[];
  cgroups?: string[];
}

// Users may be names (looked up in passwd) or numeric uids.
export function resolveProtected(spec: ProtectedSpec, passwd: Map<string, number>): ParseResult<ProtectedList> {
  const uids: number[] = [];
  for (const user of spec.users ?? []) {
    const uid = parseInteger(user) ?? passwd.get(user);
    if (uid === undefined || uid < 0) return fail(`protected user '${user}': no such user in /etc/passwd and not a numeric uid`);
    uids.push(uid);
  }
  for (const cgroup of spec.cgroups ?? []) {
    if (!cgroup.startsWith('/')) return fail(`protected cgroup '${cgroup}': expected a path inside the cgroup hierarchy starting with /`);
  }
  for (const name of spec.names ?? []) if (name === '') return fail('protected name: an empty name protects nothing');
  return ok({ names: spec.names ?? [], uids, cgroups: spec.cgroups ?? [] });
}

// --protected entries: NAME, user:NAME|UID, cgroup:/PATH (comma-separated on the command line).
export function splitProtectedEntries(entries: string[]): ProtectedSpec {
  const spec: Required<ProtectedSpec> = { names: [], users: [], cgroups: [] };
  for (const entry of entries.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean)) {
    if (entry.startsWith('user:')) spec.users.push(entry.slice(5));
    else if (entry.startsWith('cgroup:')) spec.cgroups.push(entry.slice(7));
    else spec.names.push(entry);
  }
  return spec;
}

export interface Candidate {
  pid: number;
  comm: string;
  kernelThread: boolean;
  // Read only when a rule needs them.
  uid: () => number | undefined;
  argv0: () => string | undefined;
  cgroupPaths: () => string[];
}

export interface ExclusionRules {
  selfPid: number;
  avoid?: RegExp;
  protectedList: ProtectedList;
}

// Why a process must not be touched, or undefined when it may be.
export function exclusionReason(c: Candidate, rules: ExclusionRules): string | undefined {
  if (c.pid <= 1) return 'pid 1';
  if (c.kernelThread) return 'kernel thread';
  if (c.pid === rules.selfPid) return 'the guard itself';
  if (rules.avoid?.test(c.comm)) return '--avoid';
  const list = rules.protectedList;
  if (list.names.length > 0) {
    const base = c.argv0()?.split('/').pop();
    if (list.names.includes(c.comm) || (base !== undefined && list.names.includes(base))) return 'protected name';
  }
  if (list.uids.length > 0) {
    const uid = c.uid();
    if (uid !== undefined && list.uids.includes(uid)) return 'protected user';
  }
  if (list.cgroups.length > 0 && c.cgroupPaths().some((path) => list.cgroups.some((p) => isWithin(path, p)))) return 'protected cgroup';
  return undefined;
}
