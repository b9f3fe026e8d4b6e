// Parser for /proc/net/dev: cumulative receive and transmit counters per network interface.
import { parseCounter } from './numbers.ts';
import { type ParseResult, fail, ok } from './result.ts';

export interface DirectionCounters {
  bytes: number;
  packets: number;
  errors: number;
  drops: number;
}

export interface InterfaceCounters {
  name: string;
  receive: DirectionCounters;
  transmit: DirectionCounters;
}

function direction(numbers: number[], offset: number): DirectionCounters {
  return { bytes: numbers[offset] ?? 0, packets: numbers[offset + 1] ?? 0, errors: numbers[offset + 2] ?? 0, drops: numbers[offset + 3] ?? 0 };
}

// Two header lines, then "  name: 16 counters" (8 receive, 8 transmit). The name may be up to 15
// characters and the colon may touch the first number ("eth0:468430918").
export function parseNetDev(text: string): ParseResult<InterfaceCounters[]> {
  const interfaces: InterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    if (name === '' || fields.length < 16) return fail(`net/dev: line '${line.slice(0, 60)}' is not 'name: 16 counters'`);
    const numbers: number[] = [];
    for (const field of fields.slice(0, 16)) {
      const value = parseCounter(field);
      if (value === undefined) return fail(`net/dev: '${field.slice(0, 20)}' of interface '${name.slice(0, 20)}' is not a counter`);
      numbers.push(value);
    }
    interfaces.push({ name, receive: direction(numbers, 0), transmit: direction(numbers, 8) });
  }
  return ok(interfaces);
}
