import path from 'node:path';

/**
 * Where the packaged app keeps its bundled detector model and manifest: electron-builder
 * copies `models/` to `<resources>/models` (extraResources, outside the asar archive, since
 * onnxruntime opens the model by path). In development the app finds `models/` beside
 * package.json itself.
 */
export function bundledModelsDir(isPackaged: boolean, resourcesPath: string): string | undefined {
  return isPackaged ? path.join(resourcesPath, 'models') : undefined;
}
