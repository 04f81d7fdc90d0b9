import { describe, expect, it } from 'vitest';
import {
  ELECTRON_CSP,
  allowNavigation,
  isTrustedSender,
  permissionDecision,
  resolveAppFile,
  windowOpenDecision,
  windowOptions,
} from '../../src-main/electron/window';

describe('Electron window security policy', () => {
  it('isolates the renderer: context isolation, sandbox, no Node', () => {
    const o = windowOptions('/app/dist/main/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('denies navigation away from app://, new windows and every permission', () => {
    expect(allowNavigation('app://hsi/index.html#/cameras')).toBe(true);
    expect(allowNavigation('https://example.com/')).toBe(false);
    expect(allowNavigation('file:///etc/passwd')).toBe(false);
    expect(allowNavigation('app://other/index.html')).toBe(false);
    expect(allowNavigation('not a url')).toBe(false);
    expect(windowOpenDecision()).toEqual({ action: 'deny' });
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(permissionDecision(p)).toBe(false);
    }
  });

  it('trusts IPC only from the app main frame', () => {
    expect(isTrustedSender('app://hsi/index.html', true)).toBe(true);
    expect(isTrustedSender('app://hsi/index.html', false)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedSender(undefined, true)).toBe(false);
  });

  it('has a strict CSP: self scripts only, no objects, no framing', () => {
    expect(ELECTRON_CSP).toContain("default-src 'self'");
    expect(ELECTRON_CSP).toContain("script-src 'self'");
    expect(ELECTRON_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(ELECTRON_CSP).toContain("object-src 'none'");
    expect(ELECTRON_CSP).toContain("frame-ancestors 'none'");
  });

  it('maps app:// URLs into the renderer folder and refuses traversal', () => {
    expect(resolveAppFile('app://hsi/', '/r')).toBe('/r/index.html');
    expect(resolveAppFile('app://hsi/assets/a.js', '/r')).toBe('/r/assets/a.js');
    // URL parsing folds dot segments first, so this stays inside the folder.
    expect(resolveAppFile('app://hsi/%2e%2e/%2e%2e/etc/passwd', '/r')).toBe('/r/etc/passwd');
    expect(resolveAppFile('app://hsi/a/..%2f..%2fsecret', '/r')).toBeUndefined();
    expect(resolveAppFile('app://hsi/a%5c..%5csecret', '/r')).toBeUndefined();
    expect(resolveAppFile('app://hsi/a%00b', '/r')).toBeUndefined();
    expect(resolveAppFile('https://hsi/index.html', '/r')).toBeUndefined();
  });
});
