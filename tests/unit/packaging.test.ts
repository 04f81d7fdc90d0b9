import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import { Minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { appModelsDir, loadManifest } from '../../src-main/detect/models';
import sharp from 'sharp';
import { bundledModelsDir, trayIconFile } from '../../src-main/electron/paths';

const root = path.resolve(import.meta.dirname, '..', '..');

interface BuilderConfig {
  extraResources: { from: string; to: string; filter: string[] }[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  mac: Record<string, unknown>;
  nsis: Record<string, unknown>;
}

function builderConfig(): BuilderConfig {
  return yaml.load(
    fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'),
  ) as BuilderConfig;
}

/**
 * The packages that ship in the app: package-lock.json's tree without the dev-only ones
 * (electron-builder copies the production dependencies, optional ones included).
 */
function shippedPackages(): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([dir, meta]) => dir.startsWith('node_modules/') && !meta.dev)
    .map(([dir]) => dir)
    .filter((dir) => fs.existsSync(path.join(root, dir)));
}

/** Native files below a package (its own files, not the nested packages the lock lists apart). */
function nativeFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') nativeFiles(rel, out);
    } else if (/\.(node|dll|dylib)$|\.so(\.\d+)*$/.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

/**
 * Whether electron-builder would unpack a path (relative to the app folder) from the asar
 * archive: its own matching, minimatch with `dot: true`, the last matching pattern deciding
 * (app-builder-lib fileMatcher.js / util/filter.js).
 */
function unpacked(patterns: string[], file: string): boolean {
  let match = false;
  for (const pattern of patterns) {
    const m = new Minimatch(pattern, { dot: true });
    if (match !== m.negate) continue;
    match = m.match(file);
  }
  return match;
}

describe('the bundled default detector', () => {
  it('is the manifest default, byte for byte, with its licence notice', () => {
    const dir = appModelsDir();
    expect(dir).toBe(path.join(root, 'models'));
    const entry = loadManifest(dir).find((m) => m.default);
    expect(entry).toMatchObject({ name: 'yolox_nano', family: 'yolox', licence: 'Apache-2.0' });
    const bytes = fs.readFileSync(path.join(dir, entry!.file));
    expect(bytes.length).toBe(entry!.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry!.sha256);
    const notice = fs.readFileSync(path.join(dir, 'NOTICE.md'), 'utf8');
    expect(notice).toContain(entry!.sha256);
    expect(notice).toMatch(/Apache License,\s+Version 2\.0/);
    expect(fs.readFileSync(path.join(dir, 'LICENSE-Apache-2.0.txt'), 'utf8')).toContain(
      'TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION',
    );
  });

  it('ships beside the packaged app, where the Electron edge points the detector', () => {
    const config = builderConfig();
    const models = config.extraResources.find((r) => r.from === 'models');
    expect(models?.to).toBe('models');
    expect(models?.filter).toEqual(
      expect.arrayContaining([
        'models.json',
        'yolox_nano.onnx',
        'NOTICE.md',
        'LICENSE-Apache-2.0.txt',
      ]),
    );
    for (const file of models!.filter)
      expect(fs.existsSync(path.join(root, 'models', file))).toBe(true);
    const resources = path.join(path.sep, 'opt', 'hsi', 'resources');
    expect(bundledModelsDir(true, resources)).toBe(path.join(resources, models!.to));
    expect(bundledModelsDir(false, resources)).toBeUndefined();
  });
});

describe('icons', () => {
  const STATUSES = ['running', 'paused', 'detector unavailable', 'alerts waiting'] as const;

  it('has a tray icon for every tray status, 16 px and 32 px (@2x), packaged beside the app', async () => {
    const config = builderConfig();
    const trayRes = config.extraResources.find((r) => r.from === 'build/tray');
    expect(trayRes).toMatchObject({ to: 'tray', filter: ['*.png'] });
    const resources = path.join(path.sep, 'opt', 'hsi', 'resources');
    const files = new Set<string>();
    for (const status of STATUSES) {
      const packaged = trayIconFile(status, {
        isPackaged: true,
        resourcesPath: resources,
        appPath: '/x',
      });
      expect(path.dirname(packaged)).toBe(path.join(resources, trayRes!.to));
      const dev = trayIconFile(status, {
        isPackaged: false,
        resourcesPath: resources,
        appPath: root,
      });
      expect(path.basename(dev)).toBe(path.basename(packaged));
      files.add(dev);
      for (const [file, size] of [
        [dev, 16],
        [dev.replace(/\.png$/, '@2x.png'), 32],
      ] as const) {
        const meta = await sharp(file).metadata();
        expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual([
          'png',
          size,
          size,
          true,
        ]);
      }
    }
    // Each status looks different.
    const pixels = await Promise.all(
      [...files].map(async (f) => (await sharp(f).raw().toBuffer()).toString('base64')),
    );
    expect(new Set(pixels).size).toBe(STATUSES.length);
  });

  it("has the app icon electron-builder turns into each platform's format (512 px or more)", async () => {
    const meta = await sharp(path.join(root, 'build', 'icon.png')).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThanOrEqual(512);
    expect(meta.height).toBe(meta.width);
  });
});

describe('electron-builder.yml', () => {
  it('is valid for the installed electron-builder (its own schema)', () => {
    const schema = JSON.parse(
      fs.readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
    ) as object;
    // The options electron-builder validates with (app-builder-lib schemaValidator.js).
    const validate = new Ajv({ allErrors: true, coerceTypes: true, strict: false }).compile(schema);
    const valid = validate(builderConfig());
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('unpacks every native addon and library the shipped packages load from the asar archive', () => {
    const { asarUnpack } = builderConfig();
    const files = shippedPackages().flatMap((dir) => nativeFiles(dir));
    // The search found the addons it is meant to guard.
    for (const pkg of [
      /^node_modules\/better-sqlite3\/.*\.node$/,
      /^node_modules\/onnxruntime-node\/.*\.node$/,
      /^node_modules\/@img\/sharp-[^/]+\/.*\.node$/,
    ])
      expect(
        files.some((f) => pkg.test(f)),
        String(pkg),
      ).toBe(true);
    const packed = files.filter((f) => !unpacked(asarUnpack, f));
    expect(packed).toEqual([]);
    // The matching is electron-builder's: sources stay packed.
    expect(unpacked(asarUnpack, 'dist/main/main.mjs')).toBe(false);
    expect(unpacked(asarUnpack, 'node_modules/kysely/package.json')).toBe(false);
  });

  it('flips the Electron fuses that close the usual ways into a packaged app', () => {
    expect(builderConfig().electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('installs per user on Windows', () => {
    expect(builderConfig().nsis.perMachine).toBe(false);
  });

  it('signs for macOS with the hardened runtime and the entitlements Electron needs, not notarized', () => {
    const { mac } = builderConfig();
    expect(mac).toMatchObject({
      hardenedRuntime: true,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
      notarize: false,
    });
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const plist = fs.readFileSync(path.join(root, mac[key] as string), 'utf8');
      expect(plist).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>/);
      expect(plist).toContain('<plist version="1.0">');
      for (const entitlement of [
        'com.apple.security.cs.allow-jit',
        'com.apple.security.cs.allow-unsigned-executable-memory',
        'com.apple.security.cs.disable-library-validation',
      ])
        expect(plist).toMatch(
          new RegExp(`<key>${entitlement.replace(/\./g, '\\.')}</key>\\s*<true/>`),
        );
    }
  });
});
