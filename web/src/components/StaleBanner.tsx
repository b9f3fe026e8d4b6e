// The banner that says the numbers on screen are old: shown as soon as the socket drops, with the
// time of the newest data, until fresh data arrives. It overlays the page (no layout shift).
import { useEffect, useState, type ReactNode } from 'react';
import { useLive } from '../api/session.ts';
import { clockTime } from '../lib/format.ts';

export function StaleBanner(): ReactNode {
  const { status, staleSinceMs, retryAtMs, latest } = useLive();
  const [now, setNow] = useState(() => Date.now());
  const stale = status === 'reconnecting' && staleSinceMs !== undefined;
  useEffect(() => {
    if (!stale) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [stale]);
  if (!stale) return null;
  const retrySeconds = retryAtMs === undefined ? 0 : Math.max(0, Math.ceil((retryAtMs - now) / 1000));
  return (
    <div className="stale-banner" role="alert" data-testid="stale-banner">
      {latest ? `Live data stale since ${clockTime(staleSinceMs)}: the connection to the daemon dropped.` : `No connection to the daemon's WebSocket (since ${clockTime(staleSinceMs)}).`}{' '}
      {retrySeconds > 0 ? `Reconnecting in ${retrySeconds} s.` : 'Reconnecting...'}
    </div>
  );
}
