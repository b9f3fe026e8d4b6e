// Parsers for the small per-process files: oom_score, oom_score_adj, cmdline, cgroup.
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

export function parseOomScore(text: string): ParseResult<number> {
  const value = parseInteger(text);
  if (value === undefined || value < 0 || value > 2000) return fail(`oom_score: '${text.trim().slice(0, 40)}' is not 0..2000`);
  return ok(value);
}

export function parseOomScoreAdj(text: string): ParseResult<number> {
  const value = parseInteger(text);
  if (value === undefined || value < -1000 || value > 1000) {
    return fail(`oom_score_adj: '${text.trim().slice(0, 40)}' is not -1000..1000`);
  }
  return ok(value);
}

// Arguments are NUL-separated with a trailing NUL; kernel threads and zombies have an empty
// cmdline, while "\0" is one empty argument (argv = [""]), not none.
export function parseCmdline(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\0') ? text.slice(0, -1) : text).split('\0');
}

export interface CgroupMembership {
  hierarchyId: number;
  controllers: string[];
  path: string;
}

// Lines "hierarchy-ID:controller-list:path"; hierarchy 0 with an empty list is cgroup v2.
export function parsePidCgroup(text: string): ParseResult<CgroupMembership[]> {
  const memberships: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) return fail(`cgroup: line '${line.slice(0, 80)}' has no two colons`);
    const hierarchyId = parseInteger(line.slice(0, first));
    if (hierarchyId === undefined) return fail(`cgroup: hierarchy id in '${line.slice(0, 80)}' is not an integer`);
    const list = line.slice(first + 1, second);
    memberships.push({ hierarchyId, controllers: list === '' ? [] : list.split(','), path: line.slice(second + 1) });
  }
  return ok(memberships);
}

// The path of the memory cgroup: the v1 'memory' hierarchy, else the v2 unified one.
export function memoryCgroupPath(memberships: CgroupMembership[]): string | undefined {
  const v1 = memberships.find((m) => m.controllers.includes('memory'));
  if (v1) return v1.path;
  return memberships.find((m) => m.hierarchyId === 0)?.path;
}
