import type { RiskLevel, SecurityEvent } from '../../src-shared/domain';

/**
 * What the MQTT topics say about one stretch of activity on a camera: a batch of detections
 * while it is open (`new`, `update`), then the event made from it (`end`, later `update`s).
 */
export interface Activity {
  /** The batch id: the same from the first detection to the scored event. */
  id: string;
  eventId: string | null;
  cameraId: string;
  /** The camera's topic level. */
  camera: string;
  cameraName: string;
  startTime: string;
  /** When the latest detections were seen. */
  frameTime: string;
  endTime: string | null;
  classes: string[];
  /** The most confident class so far (Frigate's `label`). */
  label: string;
  /** The latest image's best confidence, and the best so far. */
  score: number;
  topScore: number;
  /** The best detection's box, 0..1 of the image (x1, y1, x2, y2). */
  box: [number, number, number, number];
  /** Moving objects per class in the latest image. */
  counts: Record<string, number>;
  currentZones: string[];
  enteredZones: string[];
  /** The image of the best detection so far (the snapshot). */
  imageId: number | null;
  riskScore: number | null;
  riskLevel: RiskLevel | null;
  summary: string | null;
  falsePositive: boolean;
  /** An alert was raised for its event. */
  alerted: boolean;
}

const epoch = (iso: string | null) => (iso === null ? null : Date.parse(iso) / 1000);

/** The `hsi/events` view of an activity (README "MQTT and Home Assistant"). */
export function eventMessage(a: Activity) {
  return {
    id: a.id,
    eventId: a.eventId,
    camera: a.camera,
    cameraId: a.cameraId,
    cameraName: a.cameraName,
    startTime: a.startTime,
    endTime: a.endTime,
    classes: a.classes,
    counts: a.counts,
    topScore: a.topScore,
    riskScore: a.riskScore,
    riskLevel: a.riskLevel,
    summary: a.summary,
    zones: a.enteredZones,
    currentZones: a.currentZones,
    snapshot: a.imageId === null ? null : `/api/media/images/${a.imageId}?boxes=1`,
    falsePositive: a.falsePositive,
  };
}

/** An activity for an event the bridge did not see open (imported, or before a restart). */
export function activityOfEvent(e: SecurityEvent, camera: string): Activity {
  return {
    id: e.batchId ?? e.id,
    eventId: e.id,
    cameraId: e.cameraId,
    camera,
    cameraName: e.cameraName,
    startTime: e.startedAt,
    frameTime: e.endedAt,
    endTime: e.endedAt,
    classes: e.objectClasses,
    label: e.objectClasses[0] ?? 'object',
    score: 0,
    topScore: 0,
    box: [0, 0, 0, 0],
    counts: {},
    currentZones: [],
    enteredZones: [],
    imageId: e.thumbnailImageId,
    riskScore: e.riskScore,
    riskLevel: e.riskLevel,
    summary: e.summary,
    falsePositive: e.falsePositive,
    alerted: false,
  };
}

/** The event's scored fields laid over the activity. */
export function withEvent(a: Activity, e: SecurityEvent): Activity {
  return {
    ...a,
    eventId: e.id,
    endTime: e.endedAt,
    riskScore: e.riskScore,
    riskLevel: e.riskLevel,
    summary: e.summary,
    falsePositive: e.falsePositive,
    classes: [...new Set([...a.classes, ...e.objectClasses])],
    imageId: a.imageId ?? e.thumbnailImageId,
  };
}

/**
 * Frigate's `frigate/events` object for an activity. Approximated (README): the box is in
 * fractions of the image, not detect-resolution pixels, and area is a fraction of the image;
 * there are no clips, sub labels, attributes or motionless counts.
 */
export function frigateEvent(a: Activity) {
  const [x1, y1, x2, y2] = a.box;
  const w = Math.max(0, x2 - x1);
  const h = Math.max(0, y2 - y1);
  return {
    id: a.id,
    camera: a.camera,
    frame_time: epoch(a.frameTime),
    snapshot_time: epoch(a.frameTime),
    label: a.label,
    sub_label: null,
    top_score: a.topScore,
    false_positive: a.falsePositive,
    start_time: epoch(a.startTime),
    end_time: epoch(a.endTime),
    score: a.score,
    box: a.box,
    area: Number((w * h).toFixed(6)),
    ratio: h > 0 ? Number((w / h).toFixed(4)) : 0,
    region: [0, 0, 1, 1],
    current_zones: a.currentZones,
    entered_zones: a.enteredZones,
    thumbnail: null,
    has_snapshot: a.imageId !== null,
    has_clip: false,
    stationary: false,
    motionless_count: 0,
    position_changes: 0,
    attributes: {},
    current_attributes: [],
  };
}

/** Frigate's `frigate/reviews` item: an alert when one was raised or the risk is high. */
export function frigateReview(a: Activity) {
  const alert = a.alerted || a.riskLevel === 'high' || a.riskLevel === 'critical';
  return {
    id: a.id,
    camera: a.camera,
    start_time: epoch(a.startTime),
    end_time: epoch(a.endTime),
    severity: alert ? 'alert' : 'detection',
    thumb_path: '',
    data: {
      detections: [a.id],
      objects: a.classes,
      sub_labels: [],
      zones: a.enteredZones,
      audio: [],
    },
  };
}
