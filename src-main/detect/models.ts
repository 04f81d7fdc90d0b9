import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DETECTOR_FAMILIES } from '../../src-shared/domain';
import { COCO80 } from './coco';

const entrySchema = z.object({
  name: z.string().min(1),
  family: z.enum(DETECTOR_FAMILIES),
  file: z.string().min(1),
  inputSize: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  classes: z.union([z.literal('coco80'), z.array(z.string())]).default('coco80'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  bytes: z.number().int().positive().optional(),
  url: z.string().optional(),
  licence: z.string().optional(),
  default: z.boolean().optional(),
});
const manifestSchema = z.object({ models: z.array(entrySchema) });

export type ModelEntry = z.output<typeof entrySchema>;

export function classNames(entry: Pick<ModelEntry, 'classes'> | undefined): readonly string[] {
  if (!entry || entry.classes === 'coco80') return COCO80;
  return entry.classes;
}

/** The app's own `models/` folder (next to package.json). */
export function appModelsDir(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i += 1) {
    if (fs.existsSync(path.join(dir, 'models', 'models.json'))) return path.join(dir, 'models');
    dir = path.dirname(dir);
  }
  return path.resolve(import.meta.dirname, '..', '..', 'models');
}

export function loadManifest(dir = appModelsDir()): ModelEntry[] {
  const file = path.join(dir, 'models.json');
  if (!fs.existsSync(file)) return [];
  return manifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).models;
}

export interface ModelLocation {
  path: string;
  entry: ModelEntry | undefined;
}

export interface ResolveOptions {
  model: string;
  modelPath?: string;
  /** `<data dir>/models`: where users put their own models. */
  userModelsDir: string;
  appModelsDir: string;
  envModelPath?: string;
  manifest: ModelEntry[];
}

/**
 * Finds the model file: an explicit `modelPath` setting (that file only), else the user's
 * models folder, then the app's `models/`, then HSI_MODEL_PATH.
 */
export function resolveModel(o: ResolveOptions): ModelLocation | { path: null; reason: string } {
  const entry = o.manifest.find((m) => m.name === o.model);
  // A file chosen by path is that file or nothing: another model found elsewhere would hide
  // the mistake.
  if (o.modelPath) {
    const chosen = path.resolve(o.modelPath);
    if (!fs.existsSync(chosen) || !fs.statSync(chosen).isFile()) {
      return {
        path: null,
        reason: `No model file at ${chosen} (the detector's model file setting). Choose another file, or clear the setting to use "${o.model}".`,
      };
    }
  }
  const tried: string[] = [];
  const candidates: string[] = [];
  if (o.modelPath) candidates.push(o.modelPath);
  const file = entry?.file ?? (o.model.endsWith('.onnx') ? o.model : `${o.model}.onnx`);
  candidates.push(path.join(o.userModelsDir, file), path.join(o.appModelsDir, file));
  if (o.envModelPath) candidates.push(o.envModelPath);
  for (const candidate of candidates) {
    const resolved = path.resolve(candidate);
    tried.push(resolved);
    if (fs.existsSync(resolved) && fs.statSync(resolved).isFile()) {
      const fromEnvOrPath =
        resolved !== path.resolve(o.userModelsDir, file) &&
        resolved !== path.resolve(o.appModelsDir, file);
      // A model named by path may be another model than the configured manifest entry.
      const byName = o.manifest.find((m) => m.file === path.basename(resolved));
      return { path: resolved, entry: fromEnvOrPath ? byName : entry };
    }
  }
  return {
    path: null,
    reason:
      `No model file for "${o.model}". Looked in: ${tried.join(', ')}. ` +
      'Run `npm run models:fetch`, put a model in the models folder, or set HSI_MODEL_PATH.',
  };
}
