/** Detection: the ONNX object detector, its models and its inference thread. */
import path from 'node:path';
import type { DetectorStatus } from '../../src-shared/domain';
import { appVersion } from '../common/version';
import type { Logger, SettingsService } from '../system';
import { DetectionServer } from './detection-server';
import { ObjectDetector } from './detector';
import { appModelsDir, loadManifest } from './models';

export { ObjectDetector } from './detector';
export type { DetectResult, PixelDetection, DetectOptions, Frame } from './detector';
export { ImageDecodeError, ImageReadError } from './image-tensor.mjs';
export { appModelsDir, loadManifest } from './models';
export { detectorHandlers } from './handlers';
export { MODEL_DOWNLOAD_JOB, ModelDownloads } from './model-downloads';
export { detectorProbe } from './probe';
export { DetectionServer } from './detection-server';

/** The detector (its models from `modelsDir` and `<data dir>/models`) and its server for others. */
export function createDetection(d: {
  settings: SettingsService;
  logger: Logger;
  dataDir: string;
  /** The app's models folder (default: `models/` beside package.json). */
  modelsDir?: string;
  onStatus: (status: DetectorStatus) => void;
}) {
  const modelsDir = d.modelsDir ?? appModelsDir();
  const detector = new ObjectDetector({
    settings: () => d.settings.get().detector,
    userModelsDir: path.join(d.dataDir, 'models'),
    appModelsDir: modelsDir,
    manifest: loadManifest(modelsDir),
    envModelPath: process.env.HSI_MODEL_PATH,
    logger: d.logger,
    onStatus: d.onStatus,
  });
  const detectionServer = new DetectionServer({
    ...{ detector, logger: d.logger, version: appVersion() },
    settings: () => d.settings.get().detectionServer,
    onSettings: (fn) =>
      d.settings.onChange((next, prev) => fn(next.detectionServer, prev.detectionServer)),
  });
  return { detector, detectionServer };
}
