// Parser for /etc/passwd: user names by uid, to show a process's owner like ps does.
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const uid = Number(fields[2]);
    const name = fields[0];
    // The first entry for a uid wins, as with getpwuid().
    if (fields.length >= 4 && name && /^\d+$/.test(fields[2] ?? '') && Number.isSafeInteger(uid) && !names.has(uid)) names.set(uid, name);
  }
  return names;
}
