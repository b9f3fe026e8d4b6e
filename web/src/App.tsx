// The dashboard's frame: navigation, theme toggle, the stale banner, the login prompt, and the
// page for the current path. The overview, where people land, comes with the first load; the
// other pages are loaded on first visit (code splitting keeps the first load small).
import { lazy, Suspense, useEffect, type ComponentType, type ReactNode } from 'react';
import { useAuth, useLive } from './api/session.ts';
import { Login } from './components/Login.tsx';
import Overview from './pages/Overview.tsx';
import { StaleBanner } from './components/StaleBanner.tsx';
import { Link, usePath } from './router.ts';
import { toggleTheme, useTheme } from './theme.ts';

interface Page {
  path: string;
  title: string;
  component: ComponentType;
}

export const PAGES: readonly Page[] = [
  { path: '/', title: 'Overview', component: Overview },
  { path: '/history', title: 'History', component: lazy(() => import('./pages/History.tsx')) },
  { path: '/processes', title: 'Processes', component: lazy(() => import('./pages/Processes.tsx')) },
  { path: '/alerts', title: 'Alerts', component: lazy(() => import('./pages/Alerts.tsx')) },
  { path: '/events', title: 'Events', component: lazy(() => import('./pages/Events.tsx')) },
  { path: '/hosts', title: 'Hosts', component: lazy(() => import('./pages/Hosts.tsx')) },
];

function Header(props: { path: string }): ReactNode {
  const theme = useTheme();
  const { latest, status } = useLive();
  return (
    <header className="top">
      <div className="brand">
        <span className={`dot dot-${status}`} aria-hidden="true" />
        <strong>hostguard</strong>
        <span className="hostname" data-testid="hostname">
          {latest?.system?.hostname ?? ''}
        </span>
      </div>
      <nav aria-label="Pages">
        {PAGES.map((page) => (
          <Link key={page.path} to={page.path} current={page.path === props.path}>
            {page.title}
          </Link>
        ))}
      </nav>
      <button type="button" className="theme-toggle" onClick={toggleTheme} aria-label={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`}>
        {theme === 'dark' ? 'Light' : 'Dark'}
      </button>
    </header>
  );
}

export function App(): ReactNode {
  const path = usePath();
  const { required } = useAuth();
  const page = PAGES.find((p) => p.path === path);
  const Component = page?.component;
  useEffect(() => {
    document.title = `${page?.title ?? 'Not found'} - hostguard`;
  }, [page]);
  return (
    <>
      <Header path={path} />
      <StaleBanner />
      <main>
        <Suspense fallback={<div className="page-loading" aria-busy="true" />}>
          {Component ? <Component /> : <p className="empty">No page at {path}. The pages are listed above.</p>}
        </Suspense>
      </main>
      {required ? <Login /> : null}
    </>
  );
}
