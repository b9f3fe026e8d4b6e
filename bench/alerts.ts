// Benchmark of the alert system: npm run bench -- alerts [--count N] [--rounds R] [--rate A]
// [--pair-count M] [--dead webhook,script,dbus] [--channels json-files,syslog,webhook,dbus[,script]]
// [--budget-seconds S].
// 1. A storm: N alerts raised at once through the healthy local channels (JSON files, syslog to a
//    local socket, a loopback webhook, D-Bus on a private session bus): alerts/s, what arrived, CPU
//    time per delivery, and how late 100 ms timers fire (in a worker thread, where the daemon's
//    sampler runs, and on the alert system's own thread).
// 2. Dead channels: per round and per kind of dead channel (a webhook that accepts and never
//    answers, a script that hangs, a D-Bus name that never answers), a pair of runs of M alerts at A
//    alerts/s, one without and one with that dead channel, in alternating order; the healthy
//    channels' raise-to-delivered latency (median and p95) and CPU time are compared within each pair.
// Every alert has its own key and the per-minute cap is lifted, so noise control lets all through.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { serveReceivers, startReceivers } from './lib/alertReceivers.ts';
import { type Bench, DEAD, HEALTHY, type Lateness, type RunOptions, type RunResult, loadText, openBench, runOnce } from './lib/alertRun.ts';
import { median, percentile } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '100' },
    'pair-count': { type: 'string', default: '200' },
    dead: { type: 'string', default: 'none,webhook,script,dbus' },
    'budget-seconds': { type: 'string', default: '120' },
    channels: { type: 'string', default: 'json-files,syslog,webhook,dbus' },
    'with-script': { type: 'boolean', default: false },
    receivers: { type: 'boolean', default: false },
  },
});

function positive(flag: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`--${flag} ${text}: expected a positive ${integer ? 'whole ' : ''}number`);
  return value;
}

function listOf(flag: string, text: string, known: Record<string, unknown>): string[] {
  const names = text.split(',').filter((name) => name !== '');
  const unknown = names.filter((name) => !(name in known));
  if (unknown.length > 0) throw new Error(`--${flag} ${text}: expected some of ${Object.keys(known).join(', ')}`);
  return names;
}

const ms = (list: number[]): string => `median ${median(list).toFixed(1)}, p95 ${percentile(list, 95).toFixed(1)}, p99 ${percentile(list, 99).toFixed(1)}, max ${Math.max(...list).toFixed(1)} ms`;

function printLateness(main: Lateness, worker: Lateness): void {
  for (const [where, late] of [['a worker thread (where the sampler runs)', worker] as const, ["the alert system's thread", main] as const]) {
    console.log(`  100 ms timer lateness on ${where}: ${ms(late.lateMs)} (${late.lateMs.length} ticks)`);
    console.log(`    of which the thread's own work can explain at most: ${ms(late.ownBoundMs)}`);
  }
}

function printStorm(result: RunResult, count: number): void {
  const overall = result.complete ? `${(count / result.seconds).toFixed(0)} alerts/s (${result.seconds.toFixed(2)} s until every delivery ended)` : `INCOMPLETE after the ${result.seconds.toFixed(0)} s budget`;
  console.log(`\nstorm: ${count} alerts at once: ${overall}; load average ${result.load} at its end`);
  for (const c of result.channels) {
    const failure = c.firstFailure ? `; ${c.failed} not sent, first: ${c.firstFailure}` : '';
    console.log(`  ${c.name.padEnd(11)} ${String(c.sent).padStart(6)}/${count} sent (${((100 * c.sent) / count).toFixed(c.sent === count ? 0 : 1)} %)${failure}, ${c.perSecond.toFixed(0)} alerts/s`);
    console.log(`  ${''.padEnd(11)} per delivery ${ms(c.serviceMs)}`);
  }
  console.log(`  CPU time: ${(result.processCpuMs / result.sentTotal).toFixed(3)} ms per delivery (${result.sentTotal} deliveries; process ${result.processCpuMs.toFixed(0)} ms, alert thread ${result.threadCpuMs.toFixed(0)} ms)`);
  printLateness(result.main, result.worker);
  const r = result.received;
  console.log(`  received: webhook ${r.webhook}, D-Bus notifications ${r.notifications}, syslog datagrams ${r.syslog}`);
}

// The middle of a list, the mean of the two middle values when the count is even.
function middle(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const half = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(half)] ?? Number.NaN) + (sorted[Math.ceil(half)] ?? Number.NaN)) / 2;
}

const change = (from: number, to: number): string => `${to >= from ? '+' : ''}${(100 * (to / from - 1)).toFixed(0)} %`;

// Per dead kind and healthy channel: each pair's latency change, then the median change over pairs.
function printPairs(kind: string, pairs: Array<[RunResult, RunResult]>): { worstMedianChange: number; worstP95Change: number; cpuChange: number } {
  const what = kind === 'none' ? 'control, no dead channel in either run (the noise of the comparison)' : `dead ${kind}: healthy channels without -> with it`;
  console.log(`\n${what}; raise to delivered, each pair ran back to back:`);
  let worstMedianChange = -Infinity;
  let worstP95Change = -Infinity;
  for (const name of pairs[0]?.[0].channels.map((c) => c.name) ?? []) {
    const medians: number[] = [];
    const p95s: number[] = [];
    for (const [index, [base, dead]] of pairs.entries()) {
      const b = base.channels.find((c) => c.name === name)!;
      const d = dead.channels.find((c) => c.name === name)!;
      const [bm, dm, bp, dp] = [median(b.endToEndMs), median(d.endToEndMs), percentile(b.endToEndMs, 95), percentile(d.endToEndMs, 95)];
      medians.push(dm / bm - 1);
      p95s.push(dp / bp - 1);
      const failure = b.firstFailure ?? d.firstFailure;
      const sent = b.failed + d.failed === 0 ? '' : ` (sent ${b.sent} / ${d.sent}; first failure: ${failure})`;
      console.log(`  ${name.padEnd(11)} pair ${index + 1}: median ${bm.toFixed(2)} -> ${dm.toFixed(2)} ms (${change(bm, dm)}), p95 ${bp.toFixed(2)} -> ${dp.toFixed(2)} ms (${change(bp, dp)})${sent}`);
    }
    const [mc, pc] = [middle(medians), middle(p95s)];
    worstMedianChange = Math.max(worstMedianChange, mc);
    worstP95Change = Math.max(worstP95Change, pc);
    if (pairs.length > 1) console.log(`  ${name.padEnd(11)} median over ${pairs.length} pairs: median ${change(1, 1 + mc)}, p95 ${change(1, 1 + pc)}`);
  }
  const perDelivery = (r: RunResult): number => r.processCpuMs / r.sentTotal;
  for (const [index, [base, dead]] of pairs.entries()) {
    const deadEnds = Object.entries(dead.deadStatuses).map(([status, n]) => `${n} ${status}`).join(', ') || 'none yet';
    console.log(`  pair ${index + 1}: CPU per healthy delivery ${perDelivery(base).toFixed(3)} -> ${perDelivery(dead).toFixed(3)} ms (${change(perDelivery(base), perDelivery(dead))}); the dead channel's deliveries that ended: ${deadEnds}; load ${base.load} / ${dead.load}`);
    console.log(`    worker-thread timer lateness max ${Math.max(...base.worker.lateMs).toFixed(1)} / ${Math.max(...dead.worker.lateMs).toFixed(1)} ms`);
  }
  const cpuChange = middle(pairs.map(([base, dead]) => perDelivery(dead) / perDelivery(base) - 1));
  if (pairs.length > 1) console.log(`  CPU per healthy delivery, median change over ${pairs.length} pairs: ${change(1, 1 + cpuChange)}`);
  return { worstMedianChange, worstP95Change, cpuChange };
}

async function comparePairs(bench: Bench, names: string[], budgetMs: number): Promise<Array<{ kind: string; pairs: Array<[RunResult, RunResult]> }>> {
  const rounds = positive('rounds', values.rounds, true);
  const kinds = listOf('dead', values.dead, DEAD);
  const paced = { names, count: positive('pair-count', values['pair-count'], true), ratePerSecond: positive('rate', values.rate, false), budgetMs };
  const results = kinds.map((kind) => ({ kind, pairs: [] as Array<[RunResult, RunResult]> }));
  for (let round = 0; round < rounds; round++) {
    for (const [k, entry] of results.entries()) {
      const run = (options: RunOptions, what: string): Promise<RunResult> => runOnce(bench, options, `r${round}-${entry.kind}-${what}`);
      // alternate which run goes first, so a drift in the machine's load favours neither
      const deadFirst = (round + k) % 2 === 1;
      const first = await run(deadFirst ? { ...paced, dead: entry.kind } : paced, 'first');
      const second = await run(deadFirst ? paced : { ...paced, dead: entry.kind }, 'second');
      entry.pairs.push(deadFirst ? [second, first] : [first, second]);
    }
  }
  return results;
}

async function main(): Promise<void> {
  const count = positive('count', values.count, true);
  const budgetMs = positive('budget-seconds', values['budget-seconds'], false) * 1000;
  const names = listOf('channels', values.channels, HEALTHY);
  if (values['with-script'] && !names.includes('script')) names.push('script');
  if (names.length === 0) throw new Error(`--channels ${values.channels}: expected some of ${Object.keys(HEALTHY).join(', ')}`);
  const receivers = await startReceivers(process.argv[1] ?? '');
  const bench = openBench(receivers, names);
  try {
    console.log(`alerts benchmark: channels ${names.join(', ')}; distinct keys, no per-minute cap, default delivery policy (timeout 5 s, 2 retries); budget ${budgetMs / 1000} s per run`);
    console.log(`  ${cpus().length} CPUs, load average ${loadText()} at the start`);
    await runOnce(bench, { names, count: Math.min(300, count), ratePerSecond: 0, budgetMs }, 'warm-up');
    const storm = await runOnce(bench, { names, count, ratePerSecond: 0, budgetMs }, 'storm');
    printStorm(storm, count);
    const compared = await comparePairs(bench, names, budgetMs);
    const worst = compared.map(({ kind, pairs }) => ({ kind, ...printPairs(kind, pairs) }));
    const all = [storm, ...compared.flatMap((c) => c.pairs.flat())];
    const complete = all.every((r) => r.complete && r.channels.every((c) => c.failed === 0));
    console.log('\nagainst the targets:');
    console.log(`  100 % delivery to healthy channels: ${complete ? 'yes, in every run' : 'NO (see the runs above)'}`);
    for (const w of worst) {
      const what = w.kind === 'none' ? 'control (no dead channel)' : `dead ${w.kind}`;
      console.log(`  ${what}: the healthy channel most affected, median change over pairs of its latency: median ${change(1, 1 + w.worstMedianChange)}, p95 ${change(1, 1 + w.worstP95Change)}; CPU per healthy delivery ${change(1, 1 + w.cpuChange)} (target: within 10 %)`);
    }
    const workerMax = Math.max(...all.flatMap((r) => r.worker.lateMs));
    const ownMax = Math.max(...all.flatMap((r) => r.worker.ownBoundMs));
    console.log(`  sampler-like timer in a worker thread: at most ${workerMax.toFixed(1)} ms late in any run, of which its own thread's work explains at most ${ownMax.toFixed(1)} ms (target: 100 ms)`);
    console.log(`\nload average ${loadText()} at the end`);
  } finally {
    await bench.close();
    await receivers.stop();
  }
}

if (values.receivers) await serveReceivers();
else await main();
