// Parser for /proc/PID/schedstat: "run-time-ns wait-time-ns timeslices" of the task (the
// thread-group leader only, not its other threads).
import { type ParseResult, fail, ok } from './result.ts';

// The CPU time the task has used, in nanoseconds; values past 2^53 (104 days) lose precision harmlessly.
export function parseSchedstatRuntime(text: string): ParseResult<number> {
  const space = text.indexOf(' ');
  const first = space < 0 ? text.trim() : text.slice(0, space);
  if (first.length === 0 || first.length > 20) return fail(`schedstat: '${text.slice(0, 40)}' does not start with a run time`);
  for (let i = 0; i < first.length; i++) {
    const code = first.charCodeAt(i);
    if (code < 48 || code > 57) return fail(`schedstat: '${first.slice(0, 20)}' is not a number of nanoseconds`);
  }
  return ok(Number(first));
}
