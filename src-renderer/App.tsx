import { useEffect } from 'react';
import { NO_TOKEN_MESSAGE } from './api';
import { ShortcutsDialog } from './components/ShortcutsDialog';
import { Sidebar } from './components/Sidebar';
import { Toasts } from './components/Toasts';
import { AlertsPage } from './pages/AlertsPage';
import { AnalyticsPage } from './pages/AnalyticsPage';
import { CalibrationPage } from './pages/CalibrationPage';
import { CamerasPage } from './pages/CamerasPage';
import { DashboardPage } from './pages/DashboardPage';
import { DebugPage } from './pages/DebugPage';
import { EventsPage } from './pages/EventsPage';
import { ExportsPage } from './pages/ExportsPage';
import { OperationsPage } from './pages/OperationsPage';
import { PromptsPage } from './pages/PromptsPage';
import { SettingsPage } from './pages/SettingsPage';
import { SetupPage } from './pages/SetupPage';
import { useSetupRedirect } from './components/setup/setup-redirect';
import type { Route } from './routes';
import { useRoute } from './routes';
import { useConnection } from './stores/connection';
import { useShortcutsDialog } from './stores/shortcuts-dialog';
import { useShortcuts } from './use-shortcuts';

function Page({ route }: { route: Route }) {
  switch (route.id) {
    case 'dashboard':
      return <DashboardPage />;
    case 'events':
      return <EventsPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'cameras':
      return <CamerasPage />;
    case 'analytics':
      return <AnalyticsPage />;
    case 'exports':
      return <ExportsPage />;
    case 'calibration':
      return <CalibrationPage />;
    case 'prompts':
      return <PromptsPage />;
    case 'operations':
      return <OperationsPage />;
    case 'settings':
      return <SettingsPage />;
    case 'debug':
      return <DebugPage />;
    case 'setup':
      return <SetupPage />;
  }
}

function NoToken({ route }: { route: Route }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{route.title}</h1>
      </header>
      <div className="notice notice-error" role="alert">
        <p>{NO_TOKEN_MESSAGE}</p>
      </div>
    </section>
  );
}

/** `openedAtRoot`: the window opened without an address (setup may open instead). */
export function App({ openedAtRoot = false }: { openedAtRoot?: boolean }) {
  const route = useRoute();
  const problem = useConnection((s) => s.problem);
  useSetupRedirect(openedAtRoot && problem !== 'no-token');
  useShortcuts();
  const shortcutsOpen = useShortcutsDialog((s) => s.open);
  const hideShortcuts = useShortcutsDialog((s) => s.hide);

  useEffect(() => {
    document.title = `${route.title} · Home Security Intelligence`;
  }, [route]);

  return (
    <div className="app">
      <Sidebar current={route.id} live={problem !== 'no-token'} />
      <main className="main">
        {problem === 'no-token' ? <NoToken route={route} /> : <Page key={route.id} route={route} />}
      </main>
      <Toasts />
      {shortcutsOpen && <ShortcutsDialog onClose={hideShortcuts} />}
    </div>
  );
}
