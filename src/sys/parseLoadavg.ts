// Parser for /proc/loadavg: "0.58 0.45 0.20 1/86 5223".
import { parseDecimal } from './numbers.ts';
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

export interface Loadavg {
  load1: number;
  load5: number;
  load15: number;
  // scheduling entities (threads) currently runnable, and in existence
  runnableEntities: number;
  totalEntities: number;
  // the pid most recently allocated in this pid namespace (processes and threads alike)
  lastPid: number;
}

export function parseLoadavg(text: string): ParseResult<Loadavg> {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 5) return fail(`loadavg: expected 5 fields, found ${fields.length}`);
  const [a = '', b = '', c = '', entities = '', last = ''] = fields;
  const load1 = parseDecimal(a);
  const load5 = parseDecimal(b);
  const load15 = parseDecimal(c);
  if (load1 === undefined || load5 === undefined || load15 === undefined || load1 < 0 || load5 < 0 || load15 < 0) {
    return fail(`loadavg: '${fields.slice(0, 3).join(' ').slice(0, 60)}' are not three non-negative numbers`);
  }
  const slash = entities.indexOf('/');
  const runnableEntities = parseInteger(entities.slice(0, Math.max(0, slash)));
  const totalEntities = parseInteger(entities.slice(slash + 1));
  if (slash < 0 || runnableEntities === undefined || totalEntities === undefined) {
    return fail(`loadavg: '${entities.slice(0, 40)}' is not 'runnable/total'`);
  }
  const lastPid = parseInteger(last);
  if (lastPid === undefined || lastPid < 0) return fail(`loadavg: last pid '${last.slice(0, 20)}' is not a number`);
  return ok({ load1, load5, load15, runnableEntities, totalEntities, lastPid });
}
