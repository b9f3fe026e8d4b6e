// Parser for the pending-signal masks of /proc/PID/status (SigPnd: this thread, ShdPnd: the
// whole process), to tell a stop signal not yet delivered from a process that was continued.
import { type ParseResult, fail, ok } from './result.ts';

export interface PendingSignals {
  // Bit n-1 set: signal n is pending.
  threadMask: bigint;
  processMask: bigint;
}

function mask(text: string, key: string): bigint | undefined {
  const match = new RegExp(`^${key}:\\s*([0-9a-fA-F]{1,16})\\s*$`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : BigInt(`0x${match[1]}`);
}

export function parsePendingSignals(text: string): ParseResult<PendingSignals> {
  const threadMask = mask(text, 'SigPnd');
  const processMask = mask(text, 'ShdPnd');
  if (threadMask === undefined || processMask === undefined) return fail('status: SigPnd or ShdPnd line is missing or not hexadecimal');
  return ok({ threadMask, processMask });
}

export function isPending(pending: PendingSignals, signal: number): boolean {
  const bit = 1n << BigInt(signal - 1);
  return ((pending.threadMask | pending.processMask) & bit) !== 0n;
}
