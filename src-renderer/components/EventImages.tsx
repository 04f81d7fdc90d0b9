import { useState } from 'react';
import type { Detection } from '../../src-shared/domain';
import { useApi } from '../app-context';
import { percent, timeOfDay } from '../format';

interface EventImage {
  imageId: number;
  width: number;
  height: number;
  at: string;
}

/** One entry per distinct image, in the order they were taken. */
function distinctImages(detections: readonly Detection[]): EventImage[] {
  const byId = new Map<number, EventImage>();
  for (const d of detections) {
    const seen = byId.get(d.imageId);
    if (!seen) {
      byId.set(d.imageId, {
        imageId: d.imageId,
        width: d.imageWidth,
        height: d.imageHeight,
        at: d.detectedAt,
      });
    } else if (d.detectedAt < seen.at) {
      seen.at = d.detectedAt;
    }
  }
  return [...byId.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

function imagePath(imageId: number): string {
  return `/api/media/images/${imageId}?boxes=1`;
}

/**
 * An event's snapshots with their boxes drawn: one large, a strip to pick another, and every
 * detection listed (class, confidence, time, which snapshot).
 */
export function EventImages({
  cameraName,
  detections,
  fallbackImageId,
}: {
  cameraName: string;
  /** null while loading. */
  detections: readonly Detection[] | null;
  /** Shown until the detections arrive (or when there are none). */
  fallbackImageId: number | null;
}) {
  const api = useApi();
  const imageUrl = (imageId: number) => api.mediaUrl(imagePath(imageId));
  const images = detections ? distinctImages(detections) : [];
  const [chosen, setChosen] = useState<number | null>(null);
  const current =
    images.find((i) => i.imageId === chosen) ??
    images.find((i) => i.imageId === fallbackImageId) ??
    images[0];
  const position = current ? images.indexOf(current) : -1;
  const mainId = current?.imageId ?? fallbackImageId;
  const sorted = detections
    ? [...detections].sort((a, b) =>
        a.detectedAt === b.detectedAt
          ? b.confidence - a.confidence
          : a.detectedAt < b.detectedAt
            ? -1
            : 1,
      )
    : [];

  return (
    <div className="event-images">
      {mainId === null ? (
        <div className="event-main-image event-image-none">No snapshot for this event</div>
      ) : (
        <img
          className="event-main-image"
          src={imageUrl(mainId)}
          alt={
            position >= 0
              ? `Snapshot ${position + 1} of ${images.length} from ${cameraName}`
              : `Snapshot from ${cameraName}`
          }
          width={current?.width || undefined}
          height={current?.height || undefined}
          data-testid="event-main-image"
        />
      )}
      {images.length > 0 && (
        <ul className="detection-strip" aria-label="Snapshots">
          {images.map((image, i) => (
            <li key={image.imageId}>
              <button
                type="button"
                className="strip-thumb"
                aria-label={`Show snapshot ${i + 1} of ${images.length}`}
                aria-pressed={image.imageId === mainId}
                onClick={() => setChosen(image.imageId)}
              >
                <img src={imageUrl(image.imageId)} alt="" width={96} height={72} loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      )}
      {detections === null ? (
        <p className="muted">Loading detections…</p>
      ) : detections.length === 0 ? (
        <p className="muted">No detections are linked to this event.</p>
      ) : (
        <table className="table table-compact detection-table">
          <caption className="visually-hidden">Detections</caption>
          <thead>
            <tr>
              <th scope="col">Object</th>
              <th scope="col">Confidence</th>
              <th scope="col">Time</th>
              <th scope="col">Snapshot</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((d) => {
              const index = images.findIndex((i) => i.imageId === d.imageId);
              return (
                <tr
                  key={d.id}
                  data-testid={`detection-${d.id}`}
                  className={d.imageId === mainId ? 'is-current' : undefined}
                >
                  <td>{d.objectClass}</td>
                  <td>{percent(d.confidence)}</td>
                  <td>
                    <time dateTime={d.detectedAt}>{timeOfDay(d.detectedAt)}</time>
                  </td>
                  <td>
                    {images.length > 1 ? (
                      <button
                        type="button"
                        className="link-button"
                        aria-label={`Show snapshot ${index + 1} (${d.objectClass})`}
                        onClick={() => setChosen(d.imageId)}
                      >
                        {index + 1}
                      </button>
                    ) : (
                      index + 1
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
