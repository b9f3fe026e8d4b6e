// Entry point: theme first (before the first paint); the socket and the charts' history are
// asked for before React renders anything, so the data is on its way while the page is built.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { live, prefillLive } from './api/session.ts';
import { App } from './App.tsx';
import { initTheme } from './theme.ts';
import './styles.css';

initTheme();
live.start();
void prefillLive();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
