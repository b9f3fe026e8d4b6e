// Parser for /proc/PID/mountinfo (proc(5)): which filesystem is mounted where.
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

export interface MountEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  // the directory of the mounted filesystem that appears at mountPoint (bind mounts)
  root: string;
  mountPoint: string;
  mountOptions: string;
  fsType: string;
  source: string;
  superOptions: string;
}

// The kernel escapes space, tab, newline and backslash in paths as \040 \011 \012 \134.
export function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function parseLine(line: string): MountEntry | string {
  const separator = line.indexOf(' - ');
  if (separator < 0) return `mountinfo: line '${line.slice(0, 60)}' has no ' - ' separator`;
  const before = line.slice(0, separator).split(' ');
  const after = line.slice(separator + 3).split(' ');
  if (before.length < 6 || after.length < 3) return `mountinfo: line '${line.slice(0, 60)}' has too few fields`;
  const [id = '', parent = '', devices = '', root = '', mountPoint = '', mountOptions = ''] = before;
  const [fsType = '', source = '', superOptions = ''] = after;
  const mountId = parseInteger(id);
  const parentId = parseInteger(parent);
  const [majorText = '', minorText = ''] = devices.split(':');
  const major = parseInteger(majorText);
  const minor = parseInteger(minorText);
  if (mountId === undefined || parentId === undefined || major === undefined || minor === undefined) {
    return `mountinfo: line '${line.slice(0, 60)}' does not start with 'id parent major:minor'`;
  }
  return {
    mountId,
    parentId,
    major,
    minor,
    root: unescapeMountPath(root),
    mountPoint: unescapeMountPath(mountPoint),
    mountOptions,
    fsType,
    source: unescapeMountPath(source),
    superOptions,
  };
}

export function parseMountinfo(text: string): ParseResult<MountEntry[]> {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const parsed = parseLine(line);
    if (typeof parsed === 'string') return fail(parsed);
    mounts.push(parsed);
  }
  return ok(mounts);
}
