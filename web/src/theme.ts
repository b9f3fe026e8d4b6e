// Dark and light: the system's preference (prefers-color-scheme) until the person picks one with
// the toggle; the pick is remembered in localStorage. CSS reads data-theme on <html>.
import { useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const KEY = 'hostguard.theme';
const listeners = new Set<() => void>();
const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;

function stored(): Theme | undefined {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    return undefined;
  }
}

// Read once and kept: the first localStorage access of a page is slow (milliseconds), and every
// render asks for the theme. Another tab's pick arrives as a storage event.
let picked = stored();

export function currentTheme(): Theme {
  return picked ?? (media?.matches ? 'dark' : 'light');
}

function apply(): void {
  document.documentElement.dataset['theme'] = currentTheme();
  for (const listener of listeners) listener();
}

export function initTheme(): void {
  apply();
  media?.addEventListener('change', apply);
  addEventListener('storage', (event) => {
    if (event.key !== KEY) return;
    picked = stored();
    apply();
  });
}

export function toggleTheme(): void {
  picked = currentTheme() === 'dark' ? 'light' : 'dark';
  try {
    localStorage.setItem(KEY, picked);
  } catch {
    // storage disabled: the choice lasts until the page reloads
  }
  apply();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, currentTheme);
}
