import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Detection } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { DetectionRepository } from '../detections/detection-repository';
import type { IngestRepository } from '../ingest/ingest-repository';

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

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
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
    const label = `${escapeXml(d.objectClass)} ${Math.round(d.confidence * 100)}%`;
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

  /** The file must sit inside a folder the app reads snapshots from (no traversal, no links out). */
  async safePath(p: string): Promise<string> {
    let real: string;
    try {
      real = await fs.realpath(p);
    } catch {
      throw new AppError('not_found', 'The image file is no longer on disk');
    }
    const roots = await this.deps.allowedRoots();
    for (const root of roots) {
      const realRoot = await fs.realpath(root).catch(() => path.resolve(root));
      const rel = path.relative(realRoot, real);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return real;
    }
    throw new AppError('not_found', 'The image is outside the camera folders');
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
