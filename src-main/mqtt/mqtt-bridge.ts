import { z } from 'zod';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../src-shared/contract';
import type { Alert, Camera, SecurityEvent, Zone } from '../../src-shared/domain';
import { footPoint, pointInPolygon } from '../../src-shared/geometry';
import type { BatchUpdate, DomainEventBus } from '../common/domain-events';
import type { Logger } from '../system';
import type { Activity } from './activity';
import { activityOfEvent, eventMessage, frigateEvent, frigateReview, withEvent } from './activity';
import type { DiscoveryMessage } from './discovery';
import { appDiscovery, cameraDiscovery, removedCameraDiscovery } from './discovery';
import type { MqttLink, MqttSettings } from './mqtt-link';
import type { Qos } from './queue-repository';
import type { ClassGroup, Topics } from './topics';
import { CLASS_GROUPS, cameraOfDetectSet, cameraTopicNames, groupOf, topics } from './topics';

/** Stats on `<base>/stats` this often. */
const STATS_EVERY_MS = 60_000;
/** Ended activities remembered for later updates (rescored, reviewed, alerted). */
const ENDED_KEPT = 200;
const FRIGATE = 'frigate';

const onOff = z.enum(['ON', 'OFF']);
/** `all` (or nothing) acknowledges every active alert; otherwise one alert by id. */
const acknowledgeCommand = z.union([
  z.literal('').transform(() => ({ all: true as const })),
  z.literal('all').transform(() => ({ all: true as const })),
  z
    .string()
    .regex(/^[0-9a-z]{26}$/)
    .transform((id) => ({ id })),
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.strictObject({ id: z.string().regex(/^[0-9a-z]{26}$/) })),
]);

export type Invoke = <C extends ChannelName>(
  channel: C,
  input: ChannelInput<C>,
) => Promise<ChannelOutput<C>>;

export interface BridgeStats {
  imagesWaiting: number;
  intakePaused: boolean;
  detector: string;
}

/**
 * The app's facts on MQTT, from the domain events (never from UI code): activity on
 * `<base>/events`, alerts on `<base>/alerts` (and each camera's alert event), per-camera
 * object counts, risk and the latest annotated snapshot, stats each minute, Home Assistant
 * discovery, and Frigate's topic layout when asked. Commands (detection and intake on/off,
 * acknowledge alerts) go through the same channels the UI uses; anything malformed is
 * logged and ignored.
 */
export class MqttBridge {
  private cameras = new Map<string, Camera>();
  private names = new Map<string, string>();
  private readonly open = new Map<string, Activity>();
  private readonly ended = new Map<string, Activity>();
  /** Each camera's classes and groups with a non-zero count on MQTT. */
  private readonly counted = new Map<string, Set<string>>();
  /** Images processed since the last stats, and since when. */
  private processed = { count: 0, since: Date.now() };
  private offs: (() => void)[] = [];
  private statsTimer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    private readonly d: {
      link: MqttLink;
      settings: () => MqttSettings;
      bus: DomainEventBus;
      logger: Logger;
      cameras: { list(): Promise<Camera[]> };
      zones: { listForCamera(cameraId: string): Promise<Zone[]> };
      /** The annotated JPEG of a processed image. */
      snapshot: (imageId: number) => Promise<Buffer>;
      invoke: Invoke;
      stats: () => Promise<BridgeStats>;
      version: string;
    },
  ) {
    this.log = d.logger.child({ module: 'mqtt' });
  }

  private get t(): Topics {
    const s = this.d.settings();
    return topics(s.baseTopic, s.discovery.prefix);
  }

  /** Topic filters to subscribe to: the commands, and Home Assistant coming online. */
  subscriptions(): string[] {
    const t = this.t;
    return [t.detectSetFilter, t.intakeSet, t.acknowledge, t.haStatus];
  }

  async start(): Promise<void> {
    this.setCameras(await this.d.cameras.list());
    const { bus } = this.d;
    // One after another, so topics see facts in the order they happened.
    const serial =
      <T>(fn: (v: T) => Promise<void>) =>
      (v: T) => {
        this.chain = this.chain
          .then(() => fn(v))
          .catch((err: unknown) => this.log.warn({ err }, 'MQTT publish step failed'));
      };
    this.offs = [
      bus.on('image.processed', () => this.countProcessed()),
      bus.on(
        'batch.updated',
        serial((b) => this.batchUpdated(b)),
      ),
      bus.on(
        'batch.closed',
        serial((b) => this.batchClosed(b.id, b.cameraId)),
      ),
      bus.on(
        'event.created',
        serial((e) => this.eventScored(e, 'end')),
      ),
      bus.on(
        'event.rescored',
        serial((e) => this.eventScored(e, 'update')),
      ),
      bus.on(
        'event.reviewed',
        serial((e) => this.eventScored(e, 'update')),
      ),
      bus.on(
        'alert.created',
        serial((a) => this.alert(a, 'created')),
      ),
      bus.on(
        'alert.resolved',
        serial((a) => this.alert(a, 'updated')),
      ),
      bus.on(
        'camera.changed',
        serial((c) => this.cameraChanged(c)),
      ),
      bus.on(
        'camera.deleted',
        serial(({ id }) => this.cameraDeleted(id)),
      ),
      bus.on(
        'ingest.statusChanged',
        serial((s) => this.intakeState(s.pausedByUser)),
      ),
    ];
    this.statsTimer = setInterval(() => void this.publishStats(), STATS_EVERY_MS);
    this.statsTimer.unref();
  }

  stop(): Promise<unknown> {
    for (const off of this.offs) off();
    this.offs = [];
    clearInterval(this.statsTimer);
    return this.chain;
  }

  /** Waits for the publishing steps queued so far (tests, shutdown). */
  idle(): Promise<unknown> {
    return this.chain;
  }

  private setCameras(list: Camera[]): void {
    this.cameras = new Map(list.map((c) => [c.id, c]));
    this.names = cameraTopicNames(list);
  }

  private name(cameraId: string): string {
    return this.names.get(cameraId) ?? cameraId;
  }

  private async send(
    topic: string,
    payload: unknown,
    o: { retain?: boolean; qos?: Qos } = {},
  ): Promise<void> {
    const bytes = Buffer.isBuffer(payload)
      ? payload
      : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    await this.d.link.publish({
      topic,
      payload: bytes,
      qos: o.qos ?? this.d.settings().qos,
      retain: o.retain ?? false,
    });
  }

  // ------------------------------------------------------------------------------------------
  // Connected: discovery and the current state

  /** After each (re)connect, and when Home Assistant says it is back. */
  async announce(): Promise<void> {
    const s = this.d.settings();
    const t = this.t;
    if (s.discovery.enabled) {
      for (const m of this.discovery()) await this.sendDiscovery(m);
    }
    for (const c of this.cameras.values()) {
      await this.send(t.camera(this.name(c.id)).detectState, c.enabled ? 'ON' : 'OFF', {
        retain: true,
      });
    }
    const stats = await this.d.stats();
    await this.intakeState(stats.intakePaused);
    if (s.frigateCompatible) await this.send(`${FRIGATE}/available`, 'online', { retain: true });
    await this.publishStats();
  }

  private discoveryCommon() {
    const s = this.d.settings();
    return {
      prefix: s.discovery.prefix,
      base: s.baseTopic,
      topics: this.t,
      version: this.d.version,
    };
  }

  private discovery(): DiscoveryMessage[] {
    const common = this.discoveryCommon();
    return [
      appDiscovery(common),
      ...[...this.cameras.values()].map((camera) =>
        cameraDiscovery({ ...common, camera, topicName: this.name(camera.id) }),
      ),
    ];
  }

  private sendDiscovery(m: DiscoveryMessage): Promise<void> {
    return this.send(m.topic, m.payload === null ? Buffer.alloc(0) : m.payload, {
      retain: true,
      qos: 1,
    });
  }

  private async publishStats(): Promise<void> {
    if (!this.d.link.connected) return;
    const stats = await this.d.stats().catch(() => null);
    if (!stats) return;
    const mqtt = this.d.link.status();
    await this.send(this.t.stats, {
      at: new Date().toISOString(),
      imagesWaiting: stats.imagesWaiting,
      imagesPerMinute: Math.round(
        (this.processed.count * 60_000) / Math.max(1000, Date.now() - this.processed.since),
      ),
      intakePaused: stats.intakePaused,
      detector: stats.detector,
      mqttQueued: mqtt.queued,
      mqttDropped: mqtt.dropped,
    });
    this.processed = { count: 0, since: Date.now() };
  }

  private countProcessed(): void {
    this.processed.count += 1;
  }

  // ------------------------------------------------------------------------------------------
  // Activity: new → update → end (the scored event) → later updates

  private async batchUpdated(b: BatchUpdate): Promise<void> {
    const camera = this.name(b.cameraId);
    const best = b.moving.reduce((x, y) => (y.confidence > x.confidence ? y : x));
    const counts: Record<string, number> = {};
    for (const det of b.moving) counts[det.objectClass] = (counts[det.objectClass] ?? 0) + 1;
    const zones = await this.zonesOf(b);
    const before = this.open.get(b.id) ?? null;
    const improved = !before || best.confidence > before.topScore;
    const after: Activity = {
      id: b.id,
      eventId: null,
      cameraId: b.cameraId,
      camera,
      cameraName: this.cameras.get(b.cameraId)?.name ?? camera,
      startTime: b.openedAt,
      frameTime: new Date().toISOString(),
      endTime: null,
      classes: [...new Set([...(before?.classes ?? []), ...Object.keys(counts)])],
      label: improved ? best.objectClass : before.label,
      score: best.confidence,
      topScore: improved ? best.confidence : before.topScore,
      box: improved ? best.bbox : before.box,
      counts,
      currentZones: zones,
      enteredZones: [...new Set([...(before?.enteredZones ?? []), ...zones])],
      imageId: improved ? b.imageId || null : before.imageId,
      riskScore: null,
      riskLevel: null,
      summary: null,
      falsePositive: false,
      alerted: false,
    };
    this.open.set(b.id, after);
    const type = before ? 'update' : 'new';
    await this.send(this.t.events, {
      type,
      before: before && eventMessage(before),
      after: eventMessage(after),
    });
    await this.publishCounts(b.cameraId, counts);
    if (improved && after.imageId !== null) await this.publishSnapshot(after, after.imageId);
    if (this.d.settings().frigateCompatible) {
      await this.send(`${FRIGATE}/events`, {
        type,
        before: before && frigateEvent(before),
        after: frigateEvent(after),
      });
      if (!before)
        await this.send(`${FRIGATE}/reviews`, {
          type: 'new',
          before: null,
          after: frigateReview(after),
        });
    }
  }

  /** Polygon zones the moving objects stand in (lines need two snapshots: left out). */
  private async zonesOf(b: BatchUpdate): Promise<string[]> {
    const zones = await this.d.zones.listForCamera(b.cameraId).catch(() => []);
    return zones
      .filter((z) => z.enabled && z.kind === 'polygon')
      .filter((z) => b.moving.some((det) => pointInPolygon(footPoint(det.bbox), z.points)))
      .map((z) => z.name);
  }

  /** Each class and group now seen, and 0 for those seen before but not now. */
  private async publishCounts(cameraId: string, counts: Record<string, number>): Promise<void> {
    const t = this.t.camera(this.name(cameraId));
    const now: Record<string, number> = { ...counts };
    for (const [cls, n] of Object.entries(counts)) {
      const g = groupOf(cls);
      if (g && g !== cls) now[g] = (now[g] ?? 0) + n;
    }
    const before = this.counted.get(cameraId) ?? new Set<string>();
    for (const key of before) if (!(key in now)) now[key] = 0;
    const frigate = this.d.settings().frigateCompatible;
    for (const [key, n] of Object.entries(now)) {
      await this.send(t.count(key), String(n), { retain: true });
      // Frigate counts labels only (vehicle and animal are our groups).
      const ourGroup = key in CLASS_GROUPS && !CLASS_GROUPS[key as ClassGroup].includes(key);
      if (frigate && !ourGroup) {
        await this.send(`${FRIGATE}/${this.name(cameraId)}/${key}`, String(n), { retain: true });
      }
    }
    this.counted.set(cameraId, new Set(Object.keys(now).filter((k) => now[k]! > 0)));
  }

  private async publishSnapshot(a: Activity, imageId: number): Promise<void> {
    let jpeg: Buffer;
    try {
      jpeg = await this.d.snapshot(imageId);
    } catch (err) {
      this.log.debug({ err, imageId }, 'no snapshot for MQTT');
      return;
    }
    await this.send(this.t.camera(a.camera).snapshot, jpeg, { retain: true });
    if (this.d.settings().frigateCompatible) {
      await this.send(`${FRIGATE}/${a.camera}/${a.label}/snapshot`, jpeg, { retain: true });
    }
  }

  private async batchClosed(id: string, cameraId: string): Promise<void> {
    const a = this.open.get(id);
    if (a) this.open.set(id, { ...a, counts: {}, currentZones: [] });
    await this.publishCounts(cameraId, {});
  }

  private async eventScored(e: SecurityEvent, type: 'end' | 'update'): Promise<void> {
    const key = e.batchId ?? e.id;
    const before =
      this.open.get(key) ?? this.ended.get(key) ?? activityOfEvent(e, this.name(e.cameraId));
    const after = withEvent({ ...before, counts: {}, currentZones: [] }, e);
    this.open.delete(key);
    this.remember(after);
    await this.send(this.t.events, {
      type,
      before: eventMessage(before),
      after: eventMessage(after),
    });
    const t = this.t.camera(after.camera);
    await this.send(t.risk, String(e.riskScore), { retain: true });
    await this.send(t.riskLevel, e.riskLevel, { retain: true });
    if (this.d.settings().frigateCompatible) {
      await this.send(`${FRIGATE}/events`, {
        type,
        before: frigateEvent(before),
        after: frigateEvent(after),
      });
      await this.send(`${FRIGATE}/reviews`, {
        type: type === 'end' ? 'end' : 'update',
        before: frigateReview(before),
        after: frigateReview(after),
      });
    }
  }

  private remember(a: Activity): void {
    this.ended.delete(a.id);
    this.ended.set(a.id, a);
    if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.keys().next().value!);
  }

  private async alert(a: Alert, type: 'created' | 'updated'): Promise<void> {
    const activity = [...this.ended.values()].find((x) => x.eventId === a.eventId);
    const message = {
      type,
      alert: {
        id: a.id,
        eventId: a.eventId,
        cameraId: a.cameraId,
        camera: this.name(a.cameraId),
        severity: a.severity,
        status: a.status,
        ruleId: a.ruleId,
        ruleName: a.ruleName,
        matchedConditions: a.matchedConditions,
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
      },
      event: activity ? eventMessage(activity) : null,
    };
    await this.send(this.t.alerts, message);
    if (type !== 'created') return;
    // Home Assistant's event entity: its event_type is the severity.
    await this.send(this.t.camera(this.name(a.cameraId)).alert, {
      event_type: a.severity,
      ...message.alert,
      summary: activity?.summary ?? null,
    });
    if (activity && this.d.settings().frigateCompatible) {
      const after = { ...activity, alerted: true };
      this.remember(after);
      await this.send(`${FRIGATE}/reviews`, {
        type: 'update',
        before: frigateReview(activity),
        after: frigateReview(after),
      });
    }
  }

  // ------------------------------------------------------------------------------------------
  // Cameras and intake

  private async cameraChanged(c: Camera): Promise<void> {
    const previous = this.cameras.get(c.id);
    this.setCameras([...this.cameras.values()].filter((x) => x.id !== c.id).concat(c));
    const t = this.t.camera(this.name(c.id));
    if (!previous || previous.enabled !== c.enabled) {
      await this.send(t.detectState, c.enabled ? 'ON' : 'OFF', { retain: true });
    }
    const s = this.d.settings();
    if (s.discovery.enabled && (!previous || previous.name !== c.name)) {
      await this.sendDiscovery(
        cameraDiscovery({ ...this.discoveryCommon(), camera: c, topicName: this.name(c.id) }),
      );
    }
  }

  private async cameraDeleted(id: string): Promise<void> {
    const name = this.names.get(id);
    this.setCameras([...this.cameras.values()].filter((x) => x.id !== id));
    const s = this.d.settings();
    if (s.discovery.enabled)
      await this.sendDiscovery(removedCameraDiscovery(s.discovery.prefix, id));
    if (!name) return;
    // Its retained state goes too.
    const t = this.t.camera(name);
    for (const topic of [t.snapshot, t.risk, t.riskLevel, t.detectState]) {
      await this.send(topic, Buffer.alloc(0), { retain: true });
    }
  }

  private intakeState(pausedByUser: boolean): Promise<void> {
    return this.send(this.t.intakeState, pausedByUser ? 'OFF' : 'ON', { retain: true });
  }

  // ------------------------------------------------------------------------------------------
  // Commands

  /** An incoming message: a command, or Home Assistant's status. Never throws. */
  handle(topic: string, payload: Buffer): void {
    this.chain = this.chain
      .then(() => this.command(topic, payload.toString('utf8').trim()))
      .then(
        () => this.d.link.noteIncoming(topic, payload, 'handled'),
        (err: unknown) => {
          const reason = err instanceof z.ZodError ? 'malformed payload' : (err as Error).message;
          this.log.warn(
            { topic, reason, payload: payload.subarray(0, 100).toString('utf8') },
            'MQTT command ignored',
          );
          this.d.link.noteIncoming(topic, payload, 'ignored', reason);
        },
      );
  }

  private async command(topic: string, text: string): Promise<void> {
    const t = this.t;
    if (topic === t.haStatus) {
      if (text === 'online') await this.announce();
      return;
    }
    if (topic === t.intakeSet) {
      const on = onOff.parse(text.toUpperCase()) === 'ON';
      await this.d.invoke(on ? 'ingest.resume' : 'ingest.pause', {});
      return;
    }
    if (topic === t.acknowledge) {
      const cmd = acknowledgeCommand.parse(text);
      if ('id' in cmd) await this.d.invoke('alerts.acknowledge', { id: cmd.id });
      else await this.acknowledgeAll();
      return;
    }
    const camera = cameraOfDetectSet(this.d.settings().baseTopic, topic);
    if (camera !== undefined) {
      const on = onOff.parse(text.toUpperCase()) === 'ON';
      const id = [...this.names].find(([, name]) => name === camera)?.[0];
      if (!id) throw new Error(`no camera "${camera}"`);
      await this.d.invoke('cameras.update', { id, enabled: on });
      return;
    }
    throw new Error('not a command topic');
  }

  private async acknowledgeAll(): Promise<void> {
    for (;;) {
      const page = await this.d.invoke('alerts.list', { status: 'active', limit: 100 });
      if (page.items.length === 0) return;
      for (const a of page.items) await this.d.invoke('alerts.acknowledge', { id: a.id });
    }
  }
}
