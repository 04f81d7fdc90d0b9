import type { ChannelParsedInput } from '../../src-shared/contract';
import type { Zone } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { CameraRepository } from '../cameras/camera-repository';
import { newId, nowIso } from '../common/ids';
import type { ZoneRepository } from './zone-repository';

/** Zones: polygons and lines drawn on a camera's view, in 0..1 image coordinates. */
export class ZoneService {
  constructor(
    private readonly zones: ZoneRepository,
    private readonly cameras: CameraRepository,
  ) {}

  async list(cameraId: string): Promise<Zone[]> {
    await this.requireCamera(cameraId);
    return this.zones.listForCamera(cameraId);
  }

  async create(input: ChannelParsedInput<'zones.create'>): Promise<Zone> {
    await this.requireCamera(input.cameraId);
    return this.zones.insert({ id: newId(), ...input }, nowIso());
  }

  async update(input: ChannelParsedInput<'zones.update'>): Promise<Zone> {
    const existing = await this.zones.find(input.id);
    if (!existing) throw new AppError('not_found', `No zone with id "${input.id}"`);
    // The schema checks kind and points when both are sent; check the merged shape too.
    const kind = input.kind ?? existing.kind;
    const points = input.points ?? existing.points;
    if (kind !== 'line' && points.length < 3) {
      const message = `A${kind === 'ignore' ? 'n ignore' : ' polygon'} zone needs at least 3 points`;
      throw new AppError('invalid_input', message, [{ path: ['points'], message }]);
    }
    if (kind === 'line' && points.length !== 2) {
      throw new AppError('invalid_input', 'A line zone needs exactly 2 points', [
        { path: ['points'], message: 'A line zone needs exactly 2 points' },
      ]);
    }
    const { id, ...fields } = input;
    const zone = await this.zones.update(id, fields, nowIso());
    if (!zone) throw new AppError('not_found', `No zone with id "${id}"`);
    return zone;
  }

  async delete(id: string): Promise<Zone> {
    const zone = await this.zones.delete(id);
    if (!zone) throw new AppError('not_found', `No zone with id "${id}"`);
    return zone;
  }

  private async requireCamera(cameraId: string): Promise<void> {
    if (!(await this.cameras.find(cameraId))) {
      throw new AppError('not_found', `No camera with id "${cameraId}"`);
    }
  }
}
