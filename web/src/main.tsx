// Entry point, kept small so that it runs as soon as it arrives: the theme first (before the first
// paint), the overview's first data asked for at once, then the app (start.tsx: React, the pages,
// uPlot), which index.html has been preloading meanwhile. All the CSS (the charts' too) is in the
// first stylesheet, so the app waits for no CSS of its own.
import { startEarlyData } from './api/early.ts';
import { initTheme } from './theme.ts';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

initTheme();
startEarlyData();
import('./start.tsx').catch((error: unknown) => {
  const root = document.getElementById('root');
  if (root) root.textContent = `The dashboard's code did not load (${error instanceof Error ? error.message : String(error)}); reload the page.`;
});
