import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { appModelsDir, loadManifest } from '../../src-main/detect/models';
import { bundledModelsDir } from '../../src-main/electron/paths';

const root = path.resolve(import.meta.dirname, '..', '..');

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
    const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
      extraResources: { from: string; to: string; filter: string[] }[];
    };
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
