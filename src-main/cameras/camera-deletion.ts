import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CameraDeleteResult } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { Publish } from '../common/domain-events';
import type { JobRepository, JobService } from '../jobs';
import type { Logger } from '../system';
import type { CameraRepository } from './camera-repository';

export const CAMERA_DELETE_JOB = 'camera.delete';

/**
 * The owners of a camera's data, each deleting its own rows a chunk at a time (declared here
 * by shape: they sit above cameras in the layers).
 */
export interface CameraDataOwners {
  events: {
    idsForCamera(cameraId: string, limit: number): Promise<string[]>;
    /** With their detection links and feedback. */
    deleteMany(ids: readonly string[]): Promise<number>;
  };
  /** With their deliveries. */
  alerts: { deleteForEvents(eventIds: readonly string[]): Promise<number> };
  detections: { deleteForCamera(cameraId: string, limit: number): Promise<number> };
  images: {
    deleteForCamera(cameraId: string, limit: number): Promise<number>;
    deleteHashesForCamera(cameraId: string, limit: number): Promise<number>;
  };
  batches: { deleteForCamera(cameraId: string, limit: number): Promise<number> };
}

/** A deletion's saved state: the camera and the phase it got to. */
interface DeleteParams {
  cameraId: string;
  phase: number;
}

/** Alerts (and their deliveries) go with the events; the camera row last, with its zones. */
const PHASES = ['events', 'detections', 'images', 'hashes', 'batches'] as const;
type Phase = (typeof PHASES)[number];
/** Each chunk holds the main thread about this long (the app answers in between). */
const CHUNK_TARGET_MS = 5;
const FIRST_CHUNK = 50;
const MAX_CHUNK = 5000;

type Counts = ReturnType<typeof emptyCounts>;
const emptyCounts = () => ({
  events: 0,
  detections: 0,
  zones: 0,
  alerts: 0,
  images: 0,
  hashes: 0,
  batches: 0,
});

/**
 * Deleting a camera as a job (`camera.delete`): its data goes a chunk at a time through each
 * table's owner, each chunk short, with the event loop free between them; the camera row goes
 * last (with its zones and whatever arrived meanwhile). The job row comes first: from then on
 * the camera is hidden, and a restart finishes the job. Calls for a camera being deleted join
 * its deletion.
 */
export class CameraDeletion {
  /** Deletions under way here, by camera id. */
  private readonly running = new Map<string, Promise<CameraDeleteResult>>();
  private readonly log: Logger;

  constructor(
    private readonly d: CameraDataOwners & {
      cameras: CameraRepository;
      jobs: JobRepository;
      jobService: JobService;
      publish: Publish;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'cameras' });
  }

  /** Cameras being deleted (hidden): here, or left unfinished by a stop until it resumes. */
  async deleting(): Promise<Set<string>> {
    const ids = new Set(this.running.keys());
    for (const { params } of await this.d.jobs.unfinished<DeleteParams>(CAMERA_DELETE_JOB)) {
      ids.add(params.cameraId);
    }
    return ids;
  }

  /** Resumes the deletions a stop or crash interrupted. */
  async start(): Promise<void> {
    for (const { job, params } of await this.d.jobs.unfinished<DeleteParams>(CAMERA_DELETE_JOB)) {
      if (this.running.has(params.cameraId)) continue;
      this.log.info({ jobId: job.id, cameraId: params.cameraId }, 'resuming camera deletion');
      this.track(params.cameraId, this.follow(job.id, params.cameraId)).catch((err: unknown) =>
        this.log.warn({ err, cameraId: params.cameraId }, 'camera deletion'),
      );
    }
  }

  /** Deletes the camera and its data; what went. */
  delete(cameraId: string): Promise<CameraDeleteResult> {
    return this.running.get(cameraId) ?? this.track(cameraId, this.begin(cameraId));
  }

  private track(cameraId: string, p: Promise<CameraDeleteResult>): Promise<CameraDeleteResult> {
    const tracked = p.finally(() => {
      if (this.running.get(cameraId) === tracked) this.running.delete(cameraId);
    });
    this.running.set(cameraId, tracked);
    return tracked;
  }

  private async begin(cameraId: string): Promise<CameraDeleteResult> {
    const unfinished = (await this.d.jobs.unfinished<DeleteParams>(CAMERA_DELETE_JOB)).find(
      (j) => j.params.cameraId === cameraId,
    );
    if (unfinished) return this.follow(unfinished.job.id, cameraId);
    if (!(await this.d.cameras.find(cameraId))) {
      throw new AppError('not_found', `No camera with id "${cameraId}"`);
    }
    const params: DeleteParams = { cameraId, phase: 0 };
    const job = await this.d.jobs.create(CAMERA_DELETE_JOB, params, PHASES.length + 1);
    this.log.info({ jobId: job.id, cameraId }, 'deleting camera');
    return this.follow(job.id, cameraId);
  }

  /** Runs the job (unless it runs already) and answers with what it deleted. */
  private async follow(jobId: string, cameraId: string): Promise<CameraDeleteResult> {
    this.d.jobService.run(jobId, (signal) => this.work(jobId, signal));
    const job = await this.d.jobService.finished(jobId);
    const r = job.result ?? {};
    switch (job.status) {
      case 'completed':
        return {
          deleted: { events: r.events ?? 0, detections: r.detections ?? 0, zones: r.zones ?? 0 },
        };
      case 'cancelled':
        throw new AppError(
          'conflict',
          `Deleting camera "${cameraId}" was cancelled; what was deleted stays deleted`,
        );
      case 'failed':
        throw new Error(`Deleting camera "${cameraId}" failed: ${job.error ?? 'unknown error'}`);
      default:
        throw new AppError(
          'unavailable',
          `The app stopped while deleting camera "${cameraId}"; it finishes at the next start`,
        );
    }
  }

  private async work(jobId: string, signal: AbortSignal): Promise<void> {
    const state = await this.d.jobs.state<DeleteParams>(jobId);
    if (!state) return;
    const p = state.params;
    const counts: Counts = { ...emptyCounts(), ...(state.job.result as Partial<Counts> | null) };
    const save = () =>
      this.d.jobs.advanceInTx(
        jobId,
        p.phase,
        Math.floor((p.phase / (PHASES.length + 1)) * 100),
        p,
        counts,
      );
    let chunk = FIRST_CHUNK;
    while (p.phase < PHASES.length) {
      if (signal.aborted) return;
      const began = performance.now();
      const finished = await this.step(PHASES[p.phase]!, p, chunk, counts);
      const ms = performance.now() - began;
      chunk = Math.max(
        25,
        Math.min(Math.round((chunk * CHUNK_TARGET_MS) / Math.max(ms, 0.5)), chunk * 2, MAX_CHUNK),
      );
      if (finished) {
        p.phase += 1;
        chunk = FIRST_CHUNK;
      }
      save();
      await this.d.jobService.progressed(jobId);
      await nextTurn();
    }
    if (signal.aborted) return;
    // Left for last, and small: the zones, the status log, anything that arrived meanwhile.
    const rest = await this.d.cameras.delete(p.cameraId);
    if (rest) {
      counts.events += rest.events;
      counts.detections += rest.detections;
      counts.zones += rest.zones;
    }
    p.phase += 1;
    save();
    this.log.info({ jobId, cameraId: p.cameraId, ...counts }, 'camera deleted');
    if (rest) this.d.publish('camera.deleted', { id: p.cameraId });
  }

  /** One chunk of one phase; true when the phase is done. */
  private async step(
    phase: Phase,
    p: DeleteParams,
    limit: number,
    counts: Counts,
  ): Promise<boolean> {
    const add = (key: keyof Counts, n: number) => {
      counts[key] += n;
      return n < limit;
    };
    switch (phase) {
      case 'events': {
        const ids = await this.d.events.idsForCamera(p.cameraId, limit);
        add('alerts', await this.d.alerts.deleteForEvents(ids));
        add('events', await this.d.events.deleteMany(ids));
        return ids.length < limit;
      }
      case 'detections':
        return add('detections', await this.d.detections.deleteForCamera(p.cameraId, limit));
      case 'images':
        return add('images', await this.d.images.deleteForCamera(p.cameraId, limit));
      case 'hashes':
        return add('hashes', await this.d.images.deleteHashesForCamera(p.cameraId, limit));
      case 'batches':
        return add('batches', await this.d.batches.deleteForCamera(p.cameraId, limit));
    }
  }
}
