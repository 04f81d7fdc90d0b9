import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { IClientOptions, MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import type { MqttMessageRecord, MqttStatus } from '../../src-shared/mqtt';
import type { Settings } from '../../src-shared/settings';
import { nowIso } from '../common/ids';
import { redactUrl } from '../common/redact';
import type { Logger } from '../system';
import type { MqttQueueRepository, OutgoingMessage } from './queue-repository';
import { topics } from './topics';

export type MqttSettings = Settings['mqtt'];

/** The first reconnect waits this long; each failure doubles it, up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Messages drained from the queue per read. */
const DRAIN_BATCH = 50;
/** The "last messages" view keeps this many. */
const RECENT_LIMIT = 50;

/** `<base>/available`: `online` once connected, `offline` (the Last Will), `stopped` on a clean stop. */
const availabilityTopic = (s: MqttSettings) => topics(s.baseTopic, s.discovery.prefix).available;

/** A PEM file named in the TLS settings, read now so a wrong path is a clear error. */
function pem(file: string, what: string): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`Cannot read the ${what} file ${file}: ${(err as Error).message}`);
  }
}

/**
 * MQTT.js options for the settings: the Last Will (`offline`, retained), TLS files, and no
 * automatic reconnect (MqttLink reconnects with a growing delay instead).
 */
export function clientOptions(s: MqttSettings, clientId: string): IClientOptions {
  return {
    clientId,
    username: s.username || undefined,
    password: s.password || undefined,
    clean: true,
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: 0,
    protocolVersion: 4,
    will: { topic: availabilityTopic(s), payload: Buffer.from('offline'), qos: 1, retain: true },
    ca: pem(s.tls.caFile, 'CA certificate'),
    cert: pem(s.tls.certFile, 'client certificate'),
    key: pem(s.tls.keyFile, 'client key'),
    rejectUnauthorized: s.tls.rejectUnauthorized,
  };
}

function preview(payload: Buffer): string {
  const text = payload.subarray(0, 300).toString('utf8');
  // Control characters other than tab/newline, or broken UTF-8: a binary payload.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text))
    return `(${payload.length} bytes of binary data)`;
  return payload.length > 300 ? `${text}…` : text;
}

/**
 * The app's one MQTT connection. Connects in the background (the app never waits for a
 * broker), announces itself on `<base>/available` with a retained Last Will, reconnects with
 * a doubling delay (1 s → 30 s), and keeps what it could not send in `mqtt_queue` (on disk,
 * bounded: the oldest dropped first, counted), sending it in order after reconnecting before
 * anything new. `onLive` runs after each (re)connect once the queue is empty.
 */
export class MqttLink {
  private client?: MqttClient;
  /** Bumped by every (re)start: events of an older client are ignored. */
  private generation = 0;
  private stopped = true;
  /** Started once: before that, a publish waits for the first connection attempt. */
  private begun = false;
  private readonly attemptWaiters = new Set<() => void>();
  private live = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private pendingPushes = 0;
  private readonly recent: MqttMessageRecord[] = [];
  private readonly log: Logger;
  private current: MqttStatus;
  private clientId = '';

  constructor(
    private readonly d: {
      settings: () => MqttSettings;
      queue: MqttQueueRepository;
      logger: Logger;
      /** The topic filters to subscribe to after each connect (commands, HA status). */
      subscriptions: () => string[];
      onMessage: (topic: string, payload: Buffer) => void;
      /** Connected and the queue sent: publish discovery and the current state. */
      onLive: () => Promise<void>;
      onStatus: (status: MqttStatus) => void;
    },
  ) {
    this.log = d.logger.child({ module: 'mqtt' });
    this.current = {
      state: 'disabled',
      url: '',
      clientId: '',
      lastError: null,
      connectedAt: null,
      nextAttemptAt: null,
      queued: 0,
      dropped: 0,
      sent: 0,
      received: 0,
    };
  }

  status(): MqttStatus {
    return { ...this.current };
  }

  /** The last messages in and out, newest first. */
  messages(): MqttMessageRecord[] {
    return [...this.recent];
  }

  get connected(): boolean {
    return this.live;
  }

  private set(next: Partial<MqttStatus>): void {
    this.current = { ...this.current, ...next };
    if (this.current.state === 'connected' || this.current.state === 'reconnecting') {
      for (const done of [...this.attemptWaiters]) done();
    }
    this.d.onStatus(this.status());
  }

  private record(r: Omit<MqttMessageRecord, 'at' | 'preview' | 'bytes'>, payload: Buffer): void {
    this.recent.unshift({ at: nowIso(), bytes: payload.length, preview: preview(payload), ...r });
    this.recent.length = Math.min(this.recent.length, RECENT_LIMIT);
  }

  /** Note an incoming message's fate (the bridge decides it). */
  noteIncoming(topic: string, payload: Buffer, outcome: 'handled' | 'ignored', note?: string) {
    this.record({ direction: 'in', topic, retained: false, outcome, note: note ?? null }, payload);
  }

  async start(): Promise<void> {
    this.begun = true;
    this.stopped = false;
    this.set({ queued: await this.d.queue.count() });
    this.connect();
  }

  /** Connects again with the current settings (they changed). */
  async restart(): Promise<void> {
    await this.disconnect(true);
    this.stopped = false;
    this.connect();
  }

  /** Says `stopped` on the availability topic and disconnects (no Last Will). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.disconnect(true);
  }

  private async disconnect(clean: boolean): Promise<void> {
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.live = false;
    if (!client) return;
    await this.draining?.catch(() => undefined);
    if (clean && client.connected) {
      await client
        .publishAsync(availabilityTopic(this.d.settings()), 'stopped', { qos: 1, retain: true })
        .catch(() => undefined);
    }
    await client.endAsync(!client.connected).catch(() => undefined);
    this.set({ state: 'disabled', connectedAt: null, nextAttemptAt: null });
  }

  private connect(): void {
    const s = this.d.settings();
    if (this.stopped || !s.enabled) {
      this.set({ state: 'disabled', url: redactUrl(s.url), nextAttemptAt: null });
      return;
    }
    const generation = ++this.generation;
    this.clientId = s.clientId || `hsi-${randomBytes(4).toString('hex')}`;
    this.set({
      state: 'connecting',
      url: redactUrl(s.url),
      clientId: this.clientId,
      nextAttemptAt: null,
    });
    let client: MqttClient;
    try {
      client = mqtt.connect(s.url, clientOptions(s, this.clientId));
    } catch (err) {
      this.failed(generation, (err as Error).message);
      return;
    }
    this.client = client;
    client.on('connect', () => {
      if (generation !== this.generation) return;
      this.attempt = 0;
      void this.onConnected(client, generation).catch((err: unknown) =>
        this.log.warn(
          { err: redactUrl((err as Error).message) },
          'MQTT start-up after connect failed',
        ),
      );
    });
    client.on('error', (err) => {
      if (generation !== this.generation) return;
      this.set({ lastError: redactUrl(err.message) });
    });
    client.on('close', () => {
      if (generation !== this.generation) return;
      this.live = false;
      this.failed(generation, this.current.lastError ?? 'connection closed');
    });
    client.on('message', (topic, payload) => {
      if (generation !== this.generation) return;
      this.set({ received: this.current.received + 1 });
      try {
        this.d.onMessage(topic, payload);
      } catch (err) {
        this.noteIncoming(topic, payload, 'ignored', (err as Error).message);
      }
    });
  }

  /** Lost or never made: try again after a doubling delay. */
  private failed(generation: number, reason: string): void {
    if (this.stopped || generation !== this.generation) return;
    const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.attempt);
    this.attempt += 1;
    if (this.attempt === 1 || this.current.state === 'connected') {
      this.log.warn(
        { broker: this.current.url, reason, retryInMs: delay },
        'MQTT broker unreachable',
      );
    }
    this.set({
      state: 'reconnecting',
      lastError: reason,
      connectedAt: null,
      nextAttemptAt: new Date(Date.now() + delay).toISOString(),
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (generation !== this.generation || this.stopped) return;
      const client = this.client;
      if (client) {
        this.set({ state: 'connecting', nextAttemptAt: null });
        client.reconnect();
      } else {
        this.connect();
      }
    }, delay);
    this.retryTimer.unref();
  }

  private async onConnected(client: MqttClient, generation: number): Promise<void> {
    const s = this.d.settings();
    this.log.info({ broker: this.current.url, clientId: this.clientId }, 'MQTT connected');
    this.set({ state: 'connected', lastError: null, connectedAt: nowIso() });
    const online = {
      topic: availabilityTopic(s),
      payload: Buffer.from('online'),
      qos: 1 as const,
      retain: true,
    };
    await client.publishAsync(online.topic, online.payload, { qos: 1, retain: true });
    this.sentOne(online);
    const topics = this.d.subscriptions();
    if (topics.length) await client.subscribeAsync(topics, { qos: 1 });
    await this.drain();
    if (generation !== this.generation || !client.connected) return;
    this.live = true;
    await this.d.onLive();
  }

  /** Sends the queue in order; one drain at a time. */
  private drain(): Promise<void> {
    this.draining ??= this.drainNow().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainNow(): Promise<void> {
    for (;;) {
      const client = this.client;
      if (!client?.connected) return;
      const batch = await this.d.queue.oldest(DRAIN_BATCH);
      if (batch.length === 0) {
        this.set({ queued: 0 });
        return;
      }
      for (const m of batch) {
        await client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain });
        await this.d.queue.remove(m.id);
        this.set({ sent: this.current.sent + 1, queued: Math.max(0, this.current.queued - 1) });
        this.record(
          { direction: 'out', topic: m.topic, retained: m.retain, outcome: 'sent', note: null },
          m.payload,
        );
      }
    }
  }

  /**
   * Publishes, or keeps the message for later when the broker is away (or older messages are
   * still waiting). Never throws and never waits for the broker's acknowledgement: a QoS 1 or 2
   * message the connection loses on the way is sent again by MQTT.js after the reconnect (and
   * before the kept ones). Nothing is kept while MQTT is off.
   */
  async publish(m: OutgoingMessage): Promise<void> {
    const s = this.d.settings();
    if (!s.enabled || this.stopped) return;
    const client = this.client;
    if (this.live && client?.connected && this.current.queued === 0 && this.pendingPushes === 0) {
      client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain }).then(
        () => this.sentOne(m),
        // Lost with the connection (QoS 0 is not sent again): kept for after the reconnect.
        () => void this.keep(m),
      );
      return;
    }
    await this.keep(m);
  }

  private sentOne(m: OutgoingMessage): void {
    this.set({ sent: this.current.sent + 1 });
    this.record(
      { direction: 'out', topic: m.topic, retained: m.retain, outcome: 'sent', note: null },
      m.payload,
    );
  }

  /** Into the queue on disk (the oldest dropped beyond the bound); sent once connected. */
  private async keep(m: OutgoingMessage): Promise<void> {
    const limit = this.d.settings().queueLimit;
    this.pendingPushes += 1;
    try {
      const dropped = await this.d.queue.push(m, limit);
      if (dropped > 0) this.log.warn({ dropped, limit }, 'MQTT queue full: oldest dropped');
      this.set({
        queued: Math.min(limit, this.current.queued + 1),
        dropped: this.current.dropped + dropped,
      });
      this.record(
        { direction: 'out', topic: m.topic, retained: m.retain, outcome: 'queued', note: null },
        m.payload,
      );
    } catch (err) {
      this.log.error({ err, topic: m.topic }, 'MQTT message could not be kept');
    } finally {
      this.pendingPushes -= 1;
    }
    if (this.live) void this.drain().catch(() => undefined);
  }

  /** Resolves once a connection attempt ended (connected, or failed), or after `ms`. */
  private attemptEnded(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.attemptWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.attemptWaiters.add(done);
    });
  }

  /**
   * Publishes now and waits for the broker's acknowledgement (QoS 1 and 2), or throws: for
   * senders with their own retries (the notification outbox), not for the app's own topics.
   */
  async publishNow(m: OutgoingMessage, timeoutMs = 10_000): Promise<void> {
    if (!this.d.settings().enabled)
      throw new Error('MQTT is turned off in Settings → Integrations');
    // Not started yet, or connecting right now: give the attempt a moment rather than spend
    // one of the delivery's attempts on it (at start the outbox may drain first).
    if (!this.begun || this.current.state === 'connecting') {
      await this.attemptEnded(Math.min(timeoutMs, 5000));
    }
    const client = this.client;
    if (!client?.connected) {
      throw new Error(
        `Not connected to the MQTT broker${this.current.lastError ? `: ${this.current.lastError}` : ''}`,
      );
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`The broker did not acknowledge within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    this.sentOne(m);
  }
}

/** Connects once with the given settings and disconnects ("test connection"). */
export async function testConnection(s: MqttSettings, timeoutMs = 5000): Promise<number> {
  const started = performance.now();
  const options = clientOptions(s, `${s.clientId || 'hsi'}-test-${randomBytes(3).toString('hex')}`);
  delete options.will;
  const client = mqtt.connect(s.url, { ...options, connectTimeout: timeoutMs });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`No answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.once('connect', () => (clearTimeout(timer), resolve()));
      client.once('error', (err) => (clearTimeout(timer), reject(err)));
      client.once(
        'close',
        () => (clearTimeout(timer), reject(new Error('The broker closed the connection'))),
      );
    });
    return Math.round(performance.now() - started);
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}
