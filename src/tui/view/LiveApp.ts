// The App fed live: the data store, the terminal's size as it changes, a clock ticking each second.
import { useWindowSize } from 'ink';
import { createElement as h, type ReactElement, useEffect, useState, useSyncExternalStore } from 'react';
import type { DataStore } from '../model.ts';
import { App, type AppProps } from './App.ts';

export interface LiveAppProps {
  store: DataStore;
  now: () => number;
  onQuit: AppProps['onQuit'];
  onSignal: AppProps['onSignal'];
}

// Ages ("last data 12s ago") move on while no data comes; Ink writes nothing when a tick changes no text.
function useClock(now: () => number): number {
  const [nowMs, setNowMs] = useState(now);
  useEffect(() => {
    const timer = setInterval(() => setNowMs(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  return nowMs;
}

export function LiveApp({ store, now, onQuit, onSignal }: LiveAppProps): ReactElement {
  const data = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const size = useWindowSize();
  const nowMs = useClock(now);
  return h(App, { data, columns: size.columns, rows: size.rows, nowMs: Math.max(nowMs, data.receivedMs ?? 0), onQuit, onSignal });
}
