import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Hosts a request may name: the loopback names on our port, plus the bound host. */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (boundHost && boundHost !== '0.0.0.0' && boundHost !== '::') {
    names.add(boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost);
  }
  const hosts = new Set<string>();
  for (const name of names) hosts.add(`${name}:${port}`.toLowerCase());
  return hosts;
}

/**
 * DNS-rebinding guard: a page on evil.example that re-points its name at 127.0.0.1 still
 * sends `Host: evil.example`, which we refuse.
 */
export function hostAllowed(req: IncomingMessage, hosts: Set<string>): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && hosts.has(host);
}

/** Cross-site WebSocket guard: a browser always sends Origin; it must be us. */
export function originAllowed(req: IncomingMessage, hosts: Set<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // non-browser clients
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && hosts.has(url.host);
  } catch {
    return false;
  }
}

export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}
