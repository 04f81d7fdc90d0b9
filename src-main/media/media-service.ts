import fs from 'node:fs/promises';
import sharp from 'sharp';
import type { CameraSnapshot, Detection } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { escapeHtml } from '../common/html';
import { realpathInside } from '../common/paths';
import type { DetectionRepository } from '../detections';
import type { IngestRepository } from '../ingest';

export interface MediaBody {
  contentType: string;
  body: Buffer;
}

const PALETTE = [
  '#f85149',
  '#3fb950',
  '#58a6ff',
  '#d29922',
  '#bc8cff',
  '#f0883e',
  '#39c5cf',
  '#ff7b72',
];

/** A stable colour per class, so a person is always drawn the same colour. */
export function classColour(objectClass: string): string {
  let h = 0;
  for (const ch of objectClass) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** An SVG layer with one labelled rectangle per detection (bbox normalised 0..1). */
export function boxesSvg(
  width: number,
  height: number,
  detections: Pick<Detection, 'objectClass' | 'confidence' | 'bbox'>[],
): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(11, Math.round(Math.min(width, height) / 32));
  const shapes = detections.map((d) => {
    const [x1, y1, x2, y2] = d.bbox;
    const x = Math.round(x1 * width);
    const y = Math.round(y1 * height);
    const w = Math.max(1, Math.round((x2 - x1) * width));
    const h = Math.max(1, Math.round((y2 - y1) * height));
    const colour = classColour(d.objectClass);
    const label = `${escapeHtml(d.objectClass)} ${Math.round(d.confidence * 100)}%`;
    const ly = y > font + 4 ? y - 4 : y + h - 4;
    return (
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
      `<text x="${x + 2}" y="${ly}" font-family="sans-serif" font-size="${font}" fill="${colour}" ` +
      `stroke="#000" stroke-width="0.6" paint-order="stroke">${label}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

export interface MediaServiceDeps {
  images: IngestRepository;
  detections: DetectionRepository;
  /** Folders media may be read from (ingest root, camera folders). */
  allowedRoots: () => Promise<string[]>;
  /** Every camera's id (for the latest image of each). */
  cameraIds: () => Promise<string[]>;
}

/** Snapshot images, optionally with their detection boxes drawn, for the UI. */
export class MediaService {
  constructor(private readonly deps: MediaServiceDeps) {}

  async image(imageId: number, options: { boxes: boolean; maxWidth?: number }): Promise<MediaBody> {
    const row = await this.deps.images.get(imageId);
    if (!row || row.status !== 'done') throw new AppError('not_found', `No image ${imageId}`);
    const file = await this.safePath(row.path);
    const detections = options.boxes ? await this.deps.detections.forImage(imageId) : [];
    return this.render(file, detections, options.maxWidth ?? 1280);
  }

  async detectionImage(detectionId: string, options: { boxes: boolean }): Promise<MediaBody> {
    const detection = await this.deps.detections.get(detectionId);
    if (!detection) throw new AppError('not_found', `No detection ${detectionId}`);
    const file = await this.safePath(detection.imagePath);
    return this.render(file, options.boxes ? [detection] : [], 1280);
  }

  /** The latest processed image of each camera, with its detections. */
  async snapshots(): Promise<CameraSnapshot[]> {
    const latest = await this.deps.images.latestImages(await this.deps.cameraIds());
    return Promise.all(
      latest.map(async (row) => ({
        cameraId: row.camera_id,
        imageId: row.id,
        at: row.finished_at ?? row.enqueued_at,
        width: row.width ?? 0,
        height: row.height ?? 0,
        detections: (await this.deps.detections.forImage(row.id)).map((d) => ({
          id: d.id,
          objectClass: d.objectClass,
          confidence: d.confidence,
          bbox: d.bbox,
        })),
      })),
    );
  }

  /** The file must sit inside a folder the app reads snapshots from (no traversal, no links out). */
  async safePath(p: string): Promise<string> {
    const real = await realpathInside(await this.deps.allowedRoots(), p);
    if (real) return real;
    const exists = await fs.stat(p).catch(() => null);
    throw new AppError(
      'not_found',
      exists ? 'The image is outside the camera folders' : 'The image file is no longer on disk',
    );
  }

  private async render(
    file: string,
    detections: Pick<Detection, 'objectClass' | 'confidence' | 'bbox'>[],
    maxWidth: number,
  ): Promise<MediaBody> {
    try {
      const resized = await sharp(file, { failOn: 'none' })
        .resize({ width: maxWidth, withoutEnlargement: true })
        .toBuffer({ resolveWithObject: true });
      const { width, height } = resized.info;
      let img = sharp(resized.data);
      if (detections.length) {
        img = img.composite([
          { input: Buffer.from(boxesSvg(width, height, detections)), top: 0, left: 0 },
        ]);
      }
      return { contentType: 'image/jpeg', body: await img.jpeg({ quality: 82 }).toBuffer() };
    } catch (err) {
      throw new AppError('not_found', `The image cannot be read: ${(err as Error).message}`);
    }
  }
}
