// The overview's first data, asked for by the entry script before the app's code has arrived: the
// last 15 minutes of history and the latest snapshot, over REST. Requests started here overlap the
// download and start of the app (React, uPlot), so the first render already has charts to draw.
import { apiGet, withQuery } from './client.ts';
import { PREFILL_FIELDS } from './liveSeries.ts';
import type { HistoryAnswer, MetricsSnapshot } from './types.ts';

// The live charts' past: the history API's last 15 minutes of the series they plot.
export const PREFILL_PATH = withQuery('/api/v1/metrics/history', { start: '-15m', fields: PREFILL_FIELDS.join(','), max_points: 900 });

// One request: its answer once it is in (undefined until then, and after a failure), and when.
export interface EarlyRequest<T> {
  value: T | undefined;
  settled: Promise<T | undefined>;
}

function request<T>(path: string): EarlyRequest<T> {
  const early: EarlyRequest<T> = { value: undefined, settled: Promise.resolve(undefined) };
  // A failure (no history yet, a token needed) is left to the app: the socket and its login prompt.
  early.settled = apiGet<T>(path).then(
    (value) => (early.value = value),
    () => undefined,
  );
  return early;
}

export interface EarlyData {
  history: EarlyRequest<HistoryAnswer>;
  current: EarlyRequest<MetricsSnapshot>;
}

let started: EarlyData | undefined;

export function startEarlyData(): EarlyData {
  started ??= { history: request<HistoryAnswer>(PREFILL_PATH), current: request<MetricsSnapshot>('/api/v1/metrics/current') };
  return started;
}

// Hands the answer to use: at once when it is already in (so it is there for the first render),
// else when it arrives.
export function whenAnswered<T>(early: EarlyRequest<T>, use: (value: T) => void): void {
  if (early.value !== undefined) use(early.value);
  else void early.settled.then((value) => value !== undefined && use(value));
}
