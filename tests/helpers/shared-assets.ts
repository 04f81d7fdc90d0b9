import fs from 'node:fs';
import path from 'node:path';

/** Real COCO models and photos kept beside the project (../shared), when present. */
export const SHARED = path.resolve(import.meta.dirname, '..', '..', '..', 'shared');
export const YOLOX_NANO = path.join(SHARED, 'models', 'yolox_nano.onnx');
export const NANODET_M = path.join(SHARED, 'models', 'nanodet_m_320.onnx');
export const DOG_JPG = path.join(SHARED, 'images', 'dog.jpg');
export const COCO_139_JPG = path.join(SHARED, 'images', 'coco_000000000139.jpg');

export function sharedAssetsPresent(): boolean {
  return [YOLOX_NANO, NANODET_M, DOG_JPG, COCO_139_JPG].every((f) => fs.existsSync(f));
}
