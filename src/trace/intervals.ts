// Turns the maps printed at one tick into an OpensEvent and an IoEvent: map keys and values in,
// rows with names, per-process sums and the reasons a figure may be short out.
import { constants } from 'node:os';
import type { IoEvent, IoFileRow, IoProcessRow, OpenRow, OpensEvent } from './events.ts';
import { splitMapKey } from './parseBpftrace.ts';

export type MapEntries = Array<[string, number | string]>;

export interface Names {
  comm(pid: number): string | undefined;
  // the file behind a descriptor of a live process (/proc/PID/fd/FD), undefined when unknown
  fdPath(pid: number, fd: number): string | undefined;
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

function integerKey(text: string | undefined): number | undefined {
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

export function openRows(entries: MapEntries, names: Names): OpenRow[] {
  const rows = new Map<string, OpenRow>();
  for (const [key, value] of entries) {
    const [pidText, errnoText, path = ''] = splitMapKey(key, 3) ?? [];
    const pid = integerKey(pidText);
    const errno = integerKey(errnoText);
    if (pid === undefined || errno === undefined || typeof value !== 'number') continue;
    const id = `${pid}\0${path}`;
    let row = rows.get(id);
    if (!row) {
      const comm = names.comm(pid);
      row = { pid, ...(comm === undefined ? {} : { comm }), path, count: 0, errors: 0 };
      rows.set(id, row);
    }
    row.count += value;
    if (errno !== 0) {
      row.errors += value;
      const errnos = (row.errnos ??= {});
      const name = errnoName(errno);
      errnos[name] = (errnos[name] ?? 0) + value;
    }
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || a.pid - b.pid);
}

export function processRows(reads: MapEntries, writes: MapEntries, names: Names): IoProcessRow[] {
  const rows = new Map<number, IoProcessRow>();
  const add = (entries: MapEntries, field: 'readBytes' | 'writtenBytes'): void => {
    for (const [key, value] of entries) {
      const pid = integerKey(key);
      if (pid === undefined || typeof value !== 'number') continue;
      let row = rows.get(pid);
      if (!row) {
        const comm = names.comm(pid);
        row = { pid, ...(comm === undefined ? {} : { comm }), readBytes: 0, writtenBytes: 0 };
        rows.set(pid, row);
      }
      row[field] += value;
    }
  };
  add(reads, 'readBytes');
  add(writes, 'writtenBytes');
  return [...rows.values()].sort((a, b) => b.readBytes + b.writtenBytes - (a.readBytes + a.writtenBytes) || a.pid - b.pid);
}

// Names of open files, by "pid,file id" (the open time in nsecs of the process's first open of that
// name in an interval, see iofiles.bt): learnt from @fname prints, kept for later intervals (a file
// is written long after it was opened), the oldest dropped past `limit`.
export class FileNames {
  private readonly names = new Map<string, string>();
  private readonly limit: number;

  constructor(limit = 65536) {
    this.limit = limit;
  }

  learn(entries: MapEntries): void {
    for (const [key, value] of entries) {
      if (typeof value !== 'string') continue;
      this.names.delete(key);
      this.names.set(key, value);
      if (this.names.size > this.limit) {
        const oldest = this.names.keys().next().value;
        if (oldest !== undefined) this.names.delete(oldest);
      }
    }
  }

  get(pid: number, fileId: string): string | undefined {
    return this.names.get(`${pid},${fileId}`);
  }
}

export function fileRows(reads: MapEntries, writes: MapEntries, files: FileNames, names: Names): IoFileRow[] {
  const rows = new Map<string, IoFileRow>();
  const add = (entries: MapEntries, field: 'readBytes' | 'writtenBytes'): void => {
    for (const [key, value] of entries) {
      const [pidText, fdText, fileId = '0'] = splitMapKey(key, 3) ?? [];
      const pid = integerKey(pidText);
      const fd = integerKey(fdText);
      if (pid === undefined || fd === undefined || typeof value !== 'number') continue;
      const id = `${pid},${fd},${fileId}`;
      let row = rows.get(id);
      if (!row) {
        const path = fileId === '0' ? names.fdPath(pid, fd) : (files.get(pid, fileId) ?? names.fdPath(pid, fd));
        const comm = names.comm(pid);
        row = { pid, ...(comm === undefined ? {} : { comm }), fd, ...(path === undefined ? {} : { path }), readBytes: 0, writtenBytes: 0 };
        rows.set(id, row);
      }
      row[field] += value;
    }
  };
  add(reads, 'readBytes');
  add(writes, 'writtenBytes');
  return [...rows.values()].sort((a, b) => b.readBytes + b.writtenBytes - (a.readBytes + a.writtenBytes) || a.pid - b.pid || a.fd - b.fd);
}

// Per-process sums of per-file rows (the files program counts every read and write once, per file).
export function sumFilesByProcess(files: IoFileRow[]): IoProcessRow[] {
  const rows = new Map<number, IoProcessRow>();
  for (const file of files) {
    let row = rows.get(file.pid);
    if (!row) {
      row = { pid: file.pid, ...(file.comm === undefined ? {} : { comm: file.comm }), readBytes: 0, writtenBytes: 0 };
      rows.set(file.pid, row);
    }
    row.readBytes += file.readBytes;
    row.writtenBytes += file.writtenBytes;
  }
  return [...rows.values()].sort((a, b) => b.readBytes + b.writtenBytes - (a.readBytes + a.writtenBytes) || a.pid - b.pid);
}

export interface IntervalInput {
  startMs: number;
  timeMs: number;
  // printed maps by base name ("opens", "read", ...), both epochs merged
  maps: Map<string, MapEntries>;
  incomplete: string[];
}

// The events of one interval; a base name the program does not print yields no event.
export function intervalEvents(input: IntervalInput, epochMaps: string[], files: FileNames, names: Names): Array<OpensEvent | IoEvent> {
  const get = (name: string): MapEntries => input.maps.get(name) ?? [];
  const incomplete = input.incomplete.length > 0 ? { incomplete: input.incomplete.join('; ') } : {};
  const base = { timeMs: input.timeMs, startMs: input.startMs };
  const events: Array<OpensEvent | IoEvent> = [];
  if (epochMaps.includes('@opens')) events.push({ type: 'opens', ...base, rows: openRows(get('opens'), names), ...incomplete });
  if (epochMaps.includes('@fread')) {
    files.learn(get('fname'));
    const rows = fileRows(get('fread'), get('fwrite'), files, names);
    events.push({ type: 'io', ...base, processes: sumFilesByProcess(rows), files: rows, ...incomplete });
  } else if (epochMaps.includes('@read')) {
    events.push({ type: 'io', ...base, processes: processRows(get('read'), get('write'), names), ...incomplete });
  }
  return events;
}
