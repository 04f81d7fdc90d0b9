import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { appModelsDir } from '../../src-main/detect/models';
import { jpeg } from '../helpers/images';
import { writeAtomically } from '../helpers/ingest-app';
import { DOG_JPG, sharedAssetsPresent } from '../helpers/shared-assets';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

it('a fresh app with no detector settings detects a dropped snapshot with the bundled model', async () => {
  // Default detector settings, no HSI_MODEL_PATH, nothing in DATA/models: only what ships.
  const env = process.env.HSI_MODEL_PATH;
  delete process.env.HSI_MODEL_PATH;
  try {
    t = await startTestApp({ ingest: true, settingsPatch: { ingest: { stabilitySeconds: 0.2 } } });
  } finally {
    if (env !== undefined) process.env.HSI_MODEL_PATH = env;
  }
  await expect
    .poll(() => t!.call('detector.status', {}).then((s) => s.status), { timeout: 15_000 })
    .toBe('ready');
  expect(await t.call('detector.status', {})).toMatchObject({
    model: 'yolox_nano',
    family: 'yolox',
    modelPath: path.join(appModelsDir(), 'yolox_nano.onnx'),
    inputSize: [416, 416],
    provider: 'cpu',
  });

  await t.call('cameras.create', { name: 'Porch' });
  const real = sharedAssetsPresent();
  const snapshot = real ? fs.readFileSync(DOG_JPG) : await jpeg(640, 480, 7);
  writeAtomically(path.join(t.dataDir, 'ingest', 'porch', 'snap-1.jpg'), snapshot);
  await expect
    .poll(() => t!.call('ingest.status', {}).then((s) => s.processed), { timeout: 15_000 })
    .toBe(1);
  const found = await t.call('detections.list', { cameraId: 'porch' });
  if (real) {
    expect(found.items.map((d) => d.objectClass)).toEqual(
      expect.arrayContaining(['dog', 'bicycle', 'car']),
    );
  } else {
    expect(found.items).toEqual([]); // noise: the real model finds nothing in it
  }
});
