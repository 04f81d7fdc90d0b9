import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  allowedHosts,
  bearerToken,
  hostAllowed,
  originAllowed,
  tokenMatches,
} from '../../src-main/web/http-security';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('HTTP bridge guards', () => {
  const hosts = allowedHosts('127.0.0.1', 8470);

  it('accepts loopback names on our port only', () => {
    expect(hostAllowed(req({ host: '127.0.0.1:8470' }), hosts)).toBe(true);
    expect(hostAllowed(req({ host: 'localhost:8470' }), hosts)).toBe(true);
    expect(hostAllowed(req({ host: '[::1]:8470' }), hosts)).toBe(true);
    expect(hostAllowed(req({ host: 'evil.example:8470' }), hosts)).toBe(false);
    expect(hostAllowed(req({ host: '127.0.0.1:9999' }), hosts)).toBe(false);
    expect(hostAllowed(req({}), hosts)).toBe(false);
  });

  it('adds the bound host when not a wildcard', () => {
    expect(allowedHosts('192.0.2.7', 80).has('192.0.2.7:80')).toBe(true);
    expect([...allowedHosts('0.0.0.0', 80)].some((h) => h.startsWith('0.0.0.0'))).toBe(false);
  });

  it('checks WebSocket origins', () => {
    expect(originAllowed(req({}), hosts)).toBe(true);
    expect(originAllowed(req({ origin: 'http://127.0.0.1:8470' }), hosts)).toBe(true);
    expect(originAllowed(req({ origin: 'http://evil.example' }), hosts)).toBe(false);
    expect(originAllowed(req({ origin: 'null' }), hosts)).toBe(false);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
    expect(bearerToken(req({ authorization: 'Bearer  t0k ' }))).toBe('t0k');
    expect(bearerToken(req({ authorization: 'Basic x' }))).toBeUndefined();
  });
});
