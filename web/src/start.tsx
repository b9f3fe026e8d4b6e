// The app's start, loaded by main.tsx: the live socket, the first data the entry asked for (used
// before the first render when it is already in), and the render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startEarlyData, whenAnswered } from './api/early.ts';
import { live } from './api/session.ts';
import { App } from './App.tsx';

// for bench/web.ts: when the app's code (React, uPlot, the pages) had been evaluated
performance.mark('hostguard:app');
const early = startEarlyData();
whenAnswered(early.history, (answer) => live.prefill(answer));
whenAnswered(early.current, (snapshot) => live.seed(snapshot));
live.start();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
