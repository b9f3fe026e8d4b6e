// The page's connection to its daemon: the one live socket, the login state, and the hooks pages
// use to read live data and REST answers.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError, apiGet, liveUrl, onAuthRequired } from './client.ts';
import { PREFILL_PATH } from './early.ts';
import { LiveConnection, type LiveState } from './live.ts';
import { readToken, saveToken } from './token.ts';
import type { HistoryAnswer, LiveMessage } from './types.ts';

export const live = new LiveConnection({
  url: () => liveUrl(window.location, readToken()),
  // a refused upgrade says nothing in a browser; a REST call tells whether a token is missing
  probe: () => void apiGet('/health').catch(() => undefined),
});

export function useLive(): LiveState {
  return useSyncExternalStore(live.subscribe, live.getState);
}

// Login state: whether the daemon wants a (different) token, and a counter that grows with each
// token entered so that pages fetch again.
let auth = { required: false, version: 0 };
const authListeners = new Set<() => void>();
const notifyAuth = (): void => authListeners.forEach((l) => l());
onAuthRequired(() => {
  if (auth.required) return;
  auth = { ...auth, required: true };
  notifyAuth();
});

export function useAuth(): { required: boolean; version: number } {
  return useSyncExternalStore((l) => {
    authListeners.add(l);
    return () => authListeners.delete(l);
  }, () => auth);
}

export function login(token: string): void {
  saveToken(token);
  auth = { required: false, version: auth.version + 1 };
  notifyAuth();
  live.restart();
  void prefillLive();
}

// The last 15 minutes for the live charts again after a login (the first load has them from early.ts).
export async function prefillLive(): Promise<void> {
  try {
    live.prefill(await apiGet<HistoryAnswer>(PREFILL_PATH));
  } catch {
    // no history (a fresh store, or no token yet): the charts start with the live points
  }
}

export interface ApiResult<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

// GET path (undefined: nothing to fetch yet); the previous answer stays on screen while the next
// one loads, so nothing jumps. refreshMs polls.
export function useApi<T>(path: string | undefined, refreshMs?: number): ApiResult<T> {
  const { version } = useAuth();
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: path !== undefined });
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === undefined) return undefined;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    apiGet<T>(path).then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState((s) => ({ data: s.data, error: error instanceof ApiError ? error : new ApiError(0, path, String(error)), loading: false })),
    );
    const timer = refreshMs === undefined ? undefined : setTimeout(reload, refreshMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [path, version, tick, refreshMs, reload]);
  return { ...state, reload };
}

// Items picked from the live messages since the page opened, oldest first (at most 500).
export function useLiveItems<T>(select: (message: LiveMessage) => T | undefined): T[] {
  const [items, setItems] = useState<T[]>([]);
  const pick = useRef(select);
  pick.current = select;
  useEffect(
    () =>
      live.onMessage((message) => {
        const item = pick.current(message);
        if (item !== undefined) setItems((list) => [...list.slice(-499), item]);
      }),
    [],
  );
  return items;
}

// The answer's rows with the live updates applied (same id: the newer wins), newest first.
export function mergeById<T extends { id: string }>(rows: readonly T[], updates: readonly T[], time: (row: T) => number): T[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const update of updates) byId.set(update.id, update);
  return [...byId.values()].sort((a, b) => time(b) - time(a));
}
