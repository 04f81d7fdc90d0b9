/** Detection: the ONNX object detector, its models and its inference thread. */
export { ObjectDetector } from './detector';
export type { DetectResult, PixelDetection, DetectOptions, Frame } from './detector';
export { ImageDecodeError, ImageReadError } from './image-tensor.mjs';
export { appModelsDir, loadManifest } from './models';
export { detectorHandlers } from './handlers';
export { MODEL_DOWNLOAD_JOB, ModelDownloads } from './model-downloads';
export { detectorProbe } from './probe';
