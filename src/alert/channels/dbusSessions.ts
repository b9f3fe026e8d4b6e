// Finds the session bus of each user with a graphical session, from the environment of their processes.
import { existsSync } from 'node:fs';
import { parseDbusAddress } from './dbusAddress.ts';
import { readSmallFile } from '../../sys/readFile.ts';
import { listPids, readPidStatus } from '../../sys/readProc.ts';

export interface SessionBus {
  uid: number;
  address: string;
}

// Parses /proc/PID/environ (NUL-separated NAME=value entries); entries without '=' are skipped.
export function parseEnviron(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const equals = entry.indexOf('=');
    if (equals > 0) variables.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return variables;
}

// A process belongs to a graphical session when it was started with an X11 or Wayland display.
function isGraphical(environment: Map<string, string>): boolean {
  return (environment.get('DISPLAY') ?? '') !== '' || (environment.get('WAYLAND_DISPLAY') ?? '') !== '';
}

// The bus address a process would use: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus when it exists.
// The socket is looked up through /proc/PID/root, the process's own view of the filesystem.
function sessionBusAddress(environment: Map<string, string>, procRoot: string, pid: number): string | undefined {
  const address = environment.get('DBUS_SESSION_BUS_ADDRESS') ?? '';
  if (address !== '') return address;
  const runtimeDir = environment.get('XDG_RUNTIME_DIR') ?? '';
  if (!runtimeDir.startsWith('/')) return undefined;
  const socketPath = `${runtimeDir.replace(/\/+$/, '')}/bus`;
  return existsSync(`${procRoot}/${pid}/root${socketPath}`) ? `unix:path=${socketPath}` : undefined;
}

// Two spellings of one bus (with and without ",guid=...") are one bus: compare the first socket named.
function busKey(address: string): string {
  const parsed = parseDbusAddress(address);
  const first = parsed.ok ? parsed.value[0] : undefined;
  if (first === undefined) return address;
  return first.abstract ? `abstract:${first.socketPath}` : `path:${first.socketPath}`;
}

// One entry per distinct bus, sorted by uid then address; the first spelling of an address seen is kept.
// Where processes of several users name the same bus (sudo -E keeps the user's variables), the non-root
// uid is kept. Root's own buses are dropped unless they are the only ones found. Unreadable or vanished
// processes are skipped.
export function findSessionBuses(procRoot = '/proc'): SessionBus[] {
  const found = new Map<string, SessionBus>();
  // In pid order, so which spelling of an address is kept does not depend on directory order.
  for (const pid of listPids(procRoot).sort((a, b) => a - b)) {
    const environ = readSmallFile(`${procRoot}/${pid}/environ`);
    if (environ === undefined || environ === '') continue;
    const environment = parseEnviron(environ);
    if (!isGraphical(environment)) continue;
    const address = sessionBusAddress(environment, procRoot, pid);
    if (address === undefined) continue;
    const status = readPidStatus(pid, procRoot);
    if (status === undefined) continue;
    const key = busKey(address);
    const known = found.get(key);
    if (known === undefined) found.set(key, { uid: status.realUid, address });
    else if (known.uid === 0) known.uid = status.realUid;
  }
  const all = [...found.values()];
  const users = all.filter((bus) => bus.uid !== 0);
  const chosen = users.length > 0 ? users : all;
  return chosen.sort((a, b) => a.uid - b.uid || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
