import fs from 'node:fs';
import path from 'node:path';
import type { SettingsPatch } from '../../src-shared/settings';
import type { AppConfig } from '../../src-main/app/config';
import type { FixtureBox } from '../fixtures/onnx-models';
import { writeModel, yoloxModel } from '../fixtures/onnx-models';
import type { TestApp } from './temp-app';
import { startTestApp, tempDir } from './temp-app';

/** A person and a car, in 64×64 model-input pixels (top-left letterbox). */
export const FIXTURE_BOXES: FixtureBox[] = [
  { classIndex: 0, score: 0.93, box: [8, 8, 24, 40] },
  { classIndex: 2, score: 0.81, box: [32, 20, 60, 44] },
];

/** Writes the tiny YOLOX fixture model and returns its path. */
export function fixtureModel(dir = tempDir('hsi-model-'), boxes = FIXTURE_BOXES): string {
  return writeModel(dir, 'fixture-yolox', yoloxModel({ boxes }));
}

/**
 * The app with ingest running: fast stability, small minimum size, the fixture model (or the
 * given path, or none with `model: null`). The bundled default model is hidden (an empty
 * models folder), so a missing model stays missing.
 */
export async function startIngestApp(
  options: {
    dataDir?: string;
    model?: string | null;
    settings?: SettingsPatch;
    config?: Partial<AppConfig>;
  } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? tempDir();
  const modelPath =
    options.model === null
      ? path.join(dataDir, 'no-model.onnx')
      : (options.model ?? fixtureModel());
  return startTestApp({
    modelsDir: tempDir('hsi-no-models-'),
    ...options.config,
    dataDir,
    ingest: true,
    settingsPatch: {
      ...options.settings,
      ingest: { stabilitySeconds: 0.2, minBytes: 1000, ...options.settings?.ingest },
      detector: { modelPath, providers: ['cpu'], ...options.settings?.detector },
    },
  });
}

export function writeAtomically(file: string, bytes: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(temp, bytes);
  fs.renameSync(temp, file);
}
