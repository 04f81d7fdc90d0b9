import fs from 'node:fs/promises';
import path from 'node:path';
import type { ChannelParsedInput } from '../../src-shared/contract';
import type { Camera, CameraDeleteResult, FtpCredentials } from '../../src-shared/domain';
import { cameraIdFromName } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { Publish } from '../common/domain-events';
import { nowIso } from '../common/ids';
import type { JobRepository, JobService } from '../jobs';
import type { Logger } from '../system';
import type { CameraDataOwners } from './camera-deletion';
import { CameraDeletion } from './camera-deletion';
import type { CameraRepository } from './camera-repository';
import { generatePassword, hashPassword } from './ftp-password';

export interface CameraServiceDeps extends CameraDataOwners {
  cameras: CameraRepository;
  jobs: JobRepository;
  jobService: JobService;
  publish: Publish;
  logger: Logger;
  /** Where a camera's folder goes when none is given: `<ingest root>/<camera id>`. */
  ingestRoot: () => string;
  /** The FTP endpoint cameras upload to: where it listens now, else its settings. */
  ftpEndpoint: () => { host: string; port: number; enabled: boolean };
}

/**
 * Cameras: each one has a folder its snapshots arrive in, and optionally an FTP login. A
 * camera being deleted (a job, its data going a chunk at a time) is hidden.
 */
export class CameraService {
  private readonly deletion: CameraDeletion;

  constructor(private readonly deps: CameraServiceDeps) {
    this.deletion = new CameraDeletion(deps);
  }

  /** Resumes the deletions a stop or crash interrupted. */
  start(): Promise<void> {
    return this.deletion.start();
  }

  async list(): Promise<Camera[]> {
    const cameras = await this.deps.cameras.list();
    const deleting = await this.deletion.deleting();
    return deleting.size ? cameras.filter((c) => !deleting.has(c.id)) : cameras;
  }

  async get(id: string): Promise<Camera> {
    const camera = await this.deps.cameras.find(id);
    if (!camera || (await this.deletion.deleting()).has(id)) {
      throw new AppError('not_found', `No camera with id "${id}"`);
    }
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
    if (await this.deps.cameras.find(id)) {
      throw new AppError('conflict', `A camera with id "${id}" already exists; pick another name`);
    }
    const folder = input.folder
      ? await this.prepareFolder(input.folder)
      : await this.prepareFolder(path.join(this.deps.ingestRoot(), id));
    await this.assertFolderFree(folder);
    const camera = await this.deps.cameras.insert({
      id,
      name: input.name,
      folder,
      enabled: input.enabled ?? true,
      now: nowIso(),
    });
    this.deps.publish('camera.changed', camera);
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
    const camera = await this.deps.cameras.update(
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
    this.deps.publish('camera.changed', camera);
    return camera;
  }

  /**
   * Deletes the camera with everything recorded from it, a chunk at a time (the app answers
   * throughout); resolves when it is gone, with what went.
   */
  delete(id: string): Promise<CameraDeleteResult> {
    return this.deletion.delete(id);
  }

  /**
   * Sets (or generates) the camera's FTP password. Only a scrypt hash is stored; the password
   * is shown this once. The user name is the camera id.
   */
  async setFtpPassword(id: string, password?: string): Promise<FtpCredentials> {
    const camera = await this.get(id);
    const secret = password ?? generatePassword();
    await this.deps.cameras.setFtpCredentials(
      camera.id,
      camera.id,
      await hashPassword(secret),
      nowIso(),
    );
    const endpoint = this.deps.ftpEndpoint();
    return {
      cameraId: camera.id,
      user: camera.id,
      password: secret,
      host: endpoint.host,
      port: endpoint.port,
      enabled: endpoint.enabled,
    };
  }

  private async assertNameFree(name: string): Promise<void> {
    const other = await this.deps.cameras.findByName(name);
    if (other) throw new AppError('conflict', `A camera named "${other.name}" already exists`);
  }

  private async assertFolderFree(folder: string): Promise<void> {
    const other = await this.deps.cameras.findByFolder(folder);
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
