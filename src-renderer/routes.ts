import { useSyncExternalStore } from 'react';

export const ROUTES = [
  { id: 'dashboard', title: 'Dashboard' },
  { id: 'events', title: 'Events' },
  { id: 'alerts', title: 'Alerts' },
  { id: 'cameras', title: 'Cameras & Zones' },
  { id: 'analytics', title: 'Analytics' },
  { id: 'exports', title: 'Exports' },
  { id: 'calibration', title: 'Calibration' },
  { id: 'prompts', title: 'Prompts' },
  { id: 'operations', title: 'Operations' },
  { id: 'settings', title: 'Settings' },
  /** Listed only in debug mode. */
  { id: 'debug', title: 'Debug' },
  /** The first-run wizard: not listed; opened at first start and from Settings. */
  { id: 'setup', title: 'Setup' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];
export type Route = (typeof ROUTES)[number];

const DEFAULT_ROUTE: Route = ROUTES[0];

export function routeHref(id: RouteId): string {
  return `#/${id}`;
}

/** `#/cameras` → the Cameras & Zones route; anything unknown → Dashboard. */
export function routeFromHash(hash: string): Route {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return ROUTES.find((r) => r.id === id) ?? DEFAULT_ROUTE;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function getHash(): string {
  return window.location.hash;
}

/** The current route, following `location.hash`. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash);
  return routeFromHash(hash);
}

/** The current `location.hash`, re-rendering when it changes. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, getHash);
}

/** `#/events/<id>` → the id (decoded); anything else → null. */
export function eventIdFromHash(hash: string): string | null {
  const match = /^#\/?events\/([^/?]+)/.exec(hash);
  const raw = match?.[1];
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** The detail address of one event. */
export function eventHref(id: string): string {
  return `#/events/${encodeURIComponent(id)}`;
}

/** `#/alerts/rules` → "rules" for the alerts route; the page's own part, or "" for its root. */
export function subPageFromHash(hash: string, id: RouteId): string {
  const parts = hash.replace(/^#\/?/, '').split('?')[0]?.split('/') ?? [];
  return parts[0] === id ? (parts[1] ?? '') : '';
}
