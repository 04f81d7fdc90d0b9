import { shortcutById } from '../../src-shared/shortcuts';
import { ariaKeyShortcuts, isMacPlatform } from '../keyboard';
import type { RouteId } from '../routes';
import { ROUTES, routeHref } from '../routes';
import { useActiveAlerts, useSettings } from '../queries';
import { useShortcutsDialog } from '../stores/shortcuts-dialog';
import { ConnectionIndicator } from './ConnectionIndicator';

/** The keys that open the Keyboard shortcuts dialog, for `aria-keyshortcuts`. */
function helpKeys(): string {
  const accelerators = ['help.shortcuts', 'help.shortcuts.alt'].flatMap(
    (id) => shortcutById(id)?.accelerator ?? [],
  );
  return ariaKeyShortcuts(accelerators, isMacPlatform(navigator.platform));
}

/**
 * The active-alert count next to the Alerts link. Hidden from the accessibility tree so the
 * link's name stays "Alerts"; the count is its description instead.
 */
function useAlertsBadge(live: boolean): { text: string; description: string } | null {
  const page = useActiveAlerts(live).data;
  const count = page?.items.length ?? 0;
  const capped = page ? page.nextCursor !== null : false;
  if (count === 0) return null;
  const text = capped ? `${count}+` : String(count);
  return { text, description: `${text} active ${count === 1 ? 'alert' : 'alerts'}` };
}

/** `live`: the app can be reached (not a page opened without its access token). */
export function Sidebar({ current, live }: { current: RouteId; live: boolean }) {
  const badge = useAlertsBadge(live);
  const debug = useSettings().data?.debug === true;
  const showShortcuts = useShortcutsDialog((s) => s.show);
  const routes = ROUTES.filter((r) => r.id !== 'setup' && (r.id !== 'debug' || debug));
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span>Home Security Intelligence</span>
      </div>
      <nav aria-label="Main" className="nav">
        <ul>
          {routes.map((route) => {
            const withBadge = route.id === 'alerts' && badge !== null;
            return (
              <li key={route.id}>
                <a
                  href={routeHref(route.id)}
                  className="nav-link"
                  aria-current={route.id === current ? 'page' : undefined}
                  aria-describedby={withBadge ? 'alerts-badge-description' : undefined}
                >
                  {route.title}
                  {withBadge && (
                    <span className="nav-badge" aria-hidden="true" data-testid="alerts-badge">
                      {badge.text}
                    </span>
                  )}
                </a>
                {withBadge && (
                  <span id="alerts-badge-description" className="visually-hidden">
                    {badge.description}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </nav>
      <footer className="sidebar-footer">
        <button
          type="button"
          className="sidebar-shortcuts"
          aria-keyshortcuts={helpKeys()}
          onClick={showShortcuts}
        >
          Keyboard shortcuts
        </button>
        <ConnectionIndicator />
      </footer>
    </aside>
  );
}
