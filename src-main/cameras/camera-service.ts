import fs from 'node:fs/promises';
import path from 'node:path';
import type { ChannelParsedInput } from '../../src-shared/contract';
import type { Camera, CameraDeleteResult } from '../../src-shared/domain';
import { cameraIdFromName } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { PushBus } from '../app/push';
import { nowIso } from '../db/ids';
import type { CameraRepository } from './camera-repository';

export interface CameraServiceDeps {
  repo: CameraRepository;
  bus: PushBus;
  /** Where a camera's folder goes when none is given: `<ingest root>/<camera id>`. */
  ingestRoot: () => string;
}

/** Cameras: each one has a folder its snapshots arrive in. */
export class CameraService {
  constructor(private readonly deps: CameraServiceDeps) {}

  list(): Promise<Camera[]> {
    return this.deps.repo.list();
  }

  async get(id: string): Promise<Camera> {
    const camera = await this.deps.repo.find(id);
    if (!camera) throw new AppError('not_found', `No camera with id "${id}"`);
    return camera;
  }

  async create(input: ChannelParsedInput<'cameras.create'>): Promise<Camera> {
    const id = cameraIdFromName(input.name);
    if (!id) {
      throw new AppError('invalid_input', 'Name must contain a letter or digit', [
        { path: ['name'], message: 'Name must contain a letter or digit' },
      ]);
    }
    await this.assertNameFree(input.name);
    if (await this.deps.repo.find(id)) {
      throw new AppError('conflict', `A camera with id "${id}" already exists; pick another name`);
    }
    const folder = input.folder
      ? await this.prepareFolder(input.folder)
      : await this.prepareFolder(path.join(this.deps.ingestRoot(), id));
    await this.assertFolderFree(folder);
    const camera = await this.deps.repo.insert({
      id,
      name: input.name,
      folder,
      enabled: input.enabled ?? true,
      now: nowIso(),
    });
    this.deps.bus.emit('camera.status', camera);
    return camera;
  }

  async update(input: ChannelParsedInput<'cameras.update'>): Promise<Camera> {
    const existing = await this.get(input.id);
    if (input.name !== undefined && input.name.toLowerCase() !== existing.name.toLowerCase()) {
      await this.assertNameFree(input.name);
    }
    let folder: string | undefined;
    if (input.folder !== undefined) {
      folder = await this.prepareFolder(input.folder);
      if (folder !== existing.folder) await this.assertFolderFree(folder);
    }
    const camera = await this.deps.repo.update(
      input.id,
      {
        name: input.name,
        folder,
        enabled: input.enabled,
        confidence: input.confidence,
        classes: input.classes,
      },
      nowIso(),
    );
    if (!camera) throw new AppError('not_found', `No camera with id "${input.id}"`);
    this.deps.bus.emit('camera.status', camera);
    return camera;
  }

  async delete(id: string): Promise<CameraDeleteResult> {
    const deleted = await this.deps.repo.delete(id);
    if (!deleted) throw new AppError('not_found', `No camera with id "${id}"`);
    this.deps.bus.emit('camera.deleted', { id });
    return { deleted };
  }

  private async assertNameFree(name: string): Promise<void> {
    const other = await this.deps.repo.findByName(name);
    if (other) throw new AppError('conflict', `A camera named "${other.name}" already exists`);
  }

  private async assertFolderFree(folder: string): Promise<void> {
    const other = await this.deps.repo.findByFolder(folder);
    if (other) {
      throw new AppError('conflict', `Camera "${other.name}" already uses the folder ${folder}`);
    }
  }

  /** Folders must be absolute; they are created when missing. */
  private async prepareFolder(folder: string): Promise<string> {
    const invalid = (message: string) =>
      new AppError('invalid_input', message, [{ path: ['folder'], message }]);
    if (folder.includes('\0')) throw invalid('Folder contains an invalid character');
    if (!path.isAbsolute(folder)) throw invalid('Folder must be an absolute path');
    const resolved = path.resolve(folder);
    try {
      await fs.mkdir(resolved, { recursive: true });
      const stat = await fs.stat(resolved);
      if (!stat.isDirectory()) throw invalid(`${resolved} is not a folder`);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw invalid(`Cannot use ${resolved}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return resolved;
  }
}
