// Kernel times to epoch milliseconds: bpftrace's nsecs and /proc start times count from boot on
// CLOCK_MONOTONIC (no suspend on a server), which process.hrtime reads too.

// epoch ms = monotonic ms + this offset; also the epoch time of boot.
export function monotonicEpochOffsetMs(): number {
  return Date.now() - Number(process.hrtime.bigint()) / 1e6;
}
