// Entry point, kept small so that it runs as soon as it arrives: the overview's first data asked for
// at once, the theme (before the first paint), then the app (start.tsx: React, the pages,
// uPlot), which index.html has been preloading meanwhile. All the CSS (the charts' too) is in the
// first stylesheet, so the app waits for no CSS of its own.
import { startEarlyData } from './api/early.ts';
import { initTheme } from './theme.ts';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

// The requests first (the theme's first localStorage read takes a few milliseconds); both happen
// before the first paint, which cannot come while this script runs.
startEarlyData();
initTheme();
import('./start.tsx').catch((error: unknown) => {
  const root = document.getElementById('root');
  if (root) root.textContent = `The dashboard's code did not load (${error instanceof Error ? error.message : String(error)}); reload the page.`;
});
