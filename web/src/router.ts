// A small router over the History API: the path picks the page, the query holds a page's state
// (range, filters), so a link or a reload shows the same view. The daemon answers every page path
// with index.html.
import { createElement, type MouseEvent, type ReactNode, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const href = (): string => window.location.pathname + window.location.search;

export function useHref(): string {
  return useSyncExternalStore(subscribe, href);
}

export function usePath(): string {
  return new URL(useHref(), window.location.origin).pathname;
}

export function useSearch(): URLSearchParams {
  return new URL(useHref(), window.location.origin).searchParams;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === href()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
}

// Replaces the query of the current page (keys with undefined or '' are removed).
export function setSearch(params: Record<string, string | undefined>): void {
  const url = new URL(href(), window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  navigate(url.pathname + url.search, { replace: true });
}

export function Link(props: { to: string; className?: string; children: ReactNode; current?: boolean }): ReactNode {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return createElement('a', { href: props.to, className: props.className, onClick, 'aria-current': props.current ? 'page' : undefined }, props.children);
}
