/**
 * The in-process bus the pipeline steps talk through: typed facts ("an image was processed",
 * "a batch closed", "an event was created"), each published by the one domain that owns it.
 * Listeners are isolated: one that throws (or rejects) is logged with its event and never
 * fails the publisher or the other listeners. Each listener runs in the event's correlation
 * context. The UI push layer is just another subscriber.
 */
import type {
  Alert,
  BreakerSnapshot,
  Camera,
  Delivery,
  DetectorStatus,
  ExportJob,
  IngestStatus,
  Job,
  RiskLevel,
  SecurityEvent,
} from '../../src-shared/domain';
import type { MqttStatus } from '../../src-shared/mqtt';
import type { PromptRollback } from '../../src-shared/prompts';
import type { Service } from '../../src-shared/services';
import type { Settings } from '../../src-shared/settings';
import { currentCorrelationId, withCorrelation } from './correlation';

/** A detection as the pipeline stored it (bbox normalised 0..1). */
export interface StoredDetection {
  id: string;
  objectClass: string;
  confidence: number;
  bbox: [number, number, number, number];
}

/** A batch the aggregator closed: its detections become one event. */
export interface ClosedBatch {
  id: string;
  cameraId: string;
  detectionIds: string[];
  isFastPath: boolean;
}

/** Moving detections joined a camera's open batch: the activity an event will be made of. */
export interface BatchUpdate {
  id: string;
  cameraId: string;
  /** The batch opened with these detections. */
  opened: boolean;
  openedAt: string;
  /** The image they were found in. */
  imageId: number;
  /** That image's moving detections (stationary and ignored ones left out). */
  moving: StoredDetection[];
}

/** A desktop notification to show (the Electron edge shows it; browsers show a toast). */
export interface DesktopNotification {
  title: string;
  body: string;
  severity: string;
  eventId: string | null;
}

/** Events a re-evaluation batch changed, with their new scores. */
export interface RecalibratedEvents {
  jobId: string;
  events: { id: string; riskScore: number; riskLevel: RiskLevel }[];
}

export interface DomainEvents {
  /** A file entered the ingest queue. */
  'image.queued': { imageId: number; cameraId: string };
  /** An image was detected and stored (with or without detections). */
  'image.processed': {
    imageId: number;
    cameraId: string;
    /** When the image arrived (its detections' time). */
    at: string;
    detections: StoredDetection[];
    /** Time in the model's session.run (ms). */
    inferenceMs: number;
  };
  'ingest.statusChanged': IngestStatus;
  'detector.statusChanged': DetectorStatus;
  /** A camera was created, changed, or went on- or offline. */
  'camera.changed': Camera;
  'camera.deleted': { id: string };
  'batch.updated': BatchUpdate;
  'batch.closed': ClosedBatch;
  'event.created': SecurityEvent;
  /** The event's score changed (the LLM re-scored it). */
  'event.rescored': SecurityEvent;
  /** The homeowner reviewed the event or wrote notes. */
  'event.reviewed': SecurityEvent;
  /** A re-evaluation batch gave these events new scores (one fact per batch, not per event). */
  'events.recalibrated': RecalibratedEvents;
  /** A background job started, progressed, or finished. */
  'job.changed': Job;
  /** A service started, stopped, failed, was disabled, or its health (or a dependency's) changed. */
  'service.changed': Service;
  /** A managed service was taken out of the settings. */
  'service.removed': { name: string };
  /** The MQTT connection's state or counters changed. */
  'mqtt.changed': MqttStatus;
  'alert.created': Alert;
  /** Acknowledged or dismissed. */
  'alert.resolved': Alert;
  'delivery.changed': Delivery;
  'desktop.notified': DesktopNotification;
  'export.changed': ExportJob;
  'settings.changed': { next: Settings; previous: Settings };
  /** A prompt version analysed something (live, shadow, evaluation, playground). */
  'prompt.ran': {
    versionId: string | null;
    templateId: string;
    kind: 'live' | 'shadow' | 'evaluate' | 'playground';
    outcome: 'ok' | 'parse_failed' | 'failed';
    latencyMs: number;
  };
  /** An experiment's candidate was taken out automatically (it failed or slowed down). */
  'prompt.rolledBack': PromptRollback;
  /** A circuit breaker opened, closed, or is ready for a trial call. */
  'breaker.changed': BreakerSnapshot;
}

export type DomainEventName = keyof DomainEvents;

export interface DomainEvent<K extends DomainEventName = DomainEventName> {
  name: K;
  data: DomainEvents[K];
  correlationId: string | undefined;
}

export type DomainListener<K extends DomainEventName> = (
  data: DomainEvents[K],
  event: DomainEvent<K>,
) => unknown;

export interface ListenerErrorReporter {
  (err: unknown, event: DomainEvent): void;
}

export class DomainEventBus {
  private readonly listeners = new Map<DomainEventName, Set<DomainListener<never>>>();

  constructor(private readonly onListenerError: ListenerErrorReporter) {}

  /** Tells every listener; never throws, whatever the listeners do. */
  publish<K extends DomainEventName>(name: K, data: DomainEvents[K], correlationId?: string): void {
    const event: DomainEvent<K> = {
      name,
      data,
      correlationId: correlationId ?? currentCorrelationId(),
    };
    const set = this.listeners.get(name) as Set<DomainListener<K>> | undefined;
    if (set) for (const listener of [...set]) this.deliver(event, () => listener(data, event));
  }

  on<K extends DomainEventName>(name: K, listener: DomainListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  private deliver(event: DomainEvent, run: () => unknown): void {
    try {
      // Entering a context costs a little; most events are published inside their own already.
      const result =
        event.correlationId === currentCorrelationId()
          ? run()
          : withCorrelation(event.correlationId, run);
      if (result instanceof Promise) {
        result.catch((err: unknown) => this.report(err, event));
      }
    } catch (err) {
      this.report(err, event);
    }
  }

  private report(err: unknown, event: DomainEvent): void {
    try {
      this.onListenerError(err, event);
    } catch {
      // The reporter itself failed: nothing more can be done without failing the publisher.
    }
  }
}

/** The publishing side, for services (they never subscribe through it). */
export type Publish = DomainEventBus['publish'];
