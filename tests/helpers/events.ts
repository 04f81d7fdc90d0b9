import type { App } from '../../src-main/app/compose';
import { newId } from '../../src-main/db/ids';
import type { IncomingDetection } from '../../src-main/aggregate/batch-aggregator';

export interface SeedDetection {
  objectClass: string;
  confidence: number;
  bbox?: [number, number, number, number];
}

/** Stores detections as the pipeline would, then hands them to the aggregator. */
export async function detect(
  app: App,
  cameraId: string,
  detections: SeedDetection[],
  at = new Date().toISOString(),
): Promise<IncomingDetection[]> {
  const rows: IncomingDetection[] = detections.map((d) => ({
    id: newId(),
    objectClass: d.objectClass,
    confidence: d.confidence,
    bbox: d.bbox ?? [0.1, 0.2, 0.3, 0.9],
  }));
  await app.db
    .insertInto('detections')
    .values(
      rows.map((d) => ({
        id: d.id,
        camera_id: cameraId,
        image_path: `/tmp/${cameraId}.jpg`,
        detected_at: at,
        object_class: d.objectClass,
        confidence: d.confidence,
        x1: d.bbox[0],
        y1: d.bbox[1],
        x2: d.bbox[2],
        y2: d.bbox[3],
        created_at: at,
      })),
    )
    .execute();
  await app.aggregator.add(cameraId, rows, at);
  return rows;
}
