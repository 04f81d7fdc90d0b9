import type { RouteId } from '../routes';
import { ROUTES, routeHref } from '../routes';
import { ConnectionIndicator } from './ConnectionIndicator';

export function Sidebar({ current }: { current: RouteId }) {
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span>Home Security Intelligence</span>
      </div>
      <nav aria-label="Main" className="nav">
        <ul>
          {ROUTES.map((route) => (
            <li key={route.id}>
              <a
                href={routeHref(route.id)}
                className="nav-link"
                aria-current={route.id === current ? 'page' : undefined}
              >
                {route.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <footer className="sidebar-footer">
        <ConnectionIndicator />
      </footer>
    </aside>
  );
}
