import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src-main/app/compose';
import type { EventFilter, HsiBridge, Page } from '../../src-shared/contract';
import type {
  Alert,
  Camera,
  Delivery,
  DetectorStatus,
  EventStats,
  ExportJob,
  Job,
  NotificationChannel,
  SecurityEvent,
} from '../../src-shared/domain';
import type { MqttStatus } from '../../src-shared/mqtt';
import { defaultSettings } from '../../src-shared/settings';
import { ApiError, createElectronClient } from '../../src-renderer/api';
import {
  detectionServerFormFrom,
  detectionServerFormSchema,
  detectionServerUrls,
  isLoopbackHost,
} from '../../src-renderer/detection-server-form';
import { formErrorsFrom } from '../../src-renderer/form-errors';
import { detectorText, endpointStateText } from '../../src-renderer/format';
import {
  channelFormSchema,
  emptyChannelForm,
  channelFormFrom,
} from '../../src-renderer/channel-form';
import { firstMessage } from '../../src-renderer/forms/fields';
import {
  mqttFormFrom,
  mqttFormSchema,
  mqttStateText,
  mqttTestInput,
  outcomeText,
} from '../../src-renderer/mqtt-settings-form';
import { refreshAfterReconnect, syncPushes } from '../../src-renderer/push-sync';
import { emptyRuleForm, ruleFormSchema } from '../../src-renderer/rule-form';
import type { AlertPages, EventPages } from '../../src-renderer/server-state';
import {
  RECENT_JOBS_LIMIT,
  cacheJob,
  cacheRescoredEvents,
  keys,
} from '../../src-renderer/server-state';
import type { EndpointRow, LlmEndpointRow } from '../../src-renderer/settings-form';
import {
  SETTINGS_FIELD_KEYS,
  emptyEndpointRow,
  emptyLlmEndpointRow,
  formFrom,
  settingsFormSchema,
} from '../../src-renderer/settings-form';
import { useEventsView } from '../../src-renderer/stores/events-view';
import { useToasts } from '../../src-renderer/stores/toasts';
import { securityEvent } from '../helpers/domain';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

/**
 * The renderer's own Electron client over the real app. What preload.ts and ipc.ts carry over
 * IPC (which needs Electron) goes here by direct call, message for message.
 */
function bridgeTo(app: App): HsiBridge {
  return {
    invoke: (channel, input) => app.router.invoke(channel, input, { transport: 'ipc' }),
    on(type, listener) {
      return app.push.subscribe((message) => {
        if (message.type === type) listener(message.data);
      });
    },
  };
}

const camera = (id: string, name: string, over: Partial<Camera> = {}): Camera => ({
  id,
  name,
  folder: `/data/${id}`,
  enabled: true,
  status: 'online',
  lastSeenAt: null,
  ftpUser: null,
  confidence: null,
  classes: null,
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
  ...over,
});

const event = (id: string, startedAt: string, over: Partial<SecurityEvent> = {}): SecurityEvent =>
  securityEvent({ id, startedAt, ...over });

const alert = (id: string, status: Alert['status'], createdAt: string): Alert => ({
  id,
  ruleId: 'r',
  ruleName: 'People',
  eventId: 'e',
  cameraId: 'porch',
  severity: 'high',
  status,
  dedupKey: 'k',
  matchedConditions: [],
  resolvedReason: null,
  correlationId: null,
  createdAt,
  updatedAt: createdAt,
});

const pages = <T>(...chunks: T[][]): { pages: Page<T>[]; pageParams: unknown[] } => ({
  pages: chunks.map((items, i) => ({ items, nextCursor: i < chunks.length - 1 ? `c${i}` : null })),
  pageParams: chunks.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
});

let stop: (() => void) | undefined;
let t: TestApp | undefined;
afterEach(async () => {
  stop?.();
  stop = undefined;
  await t?.close();
  t = undefined;
  useEventsView.getState().resetFilters();
  useToasts.setState({ toasts: [] });
});

/** The app, the renderer's client to it, and a query cache kept by push sync. */
async function start() {
  t = await startTestApp();
  const client = createElectronClient(bridgeTo(t.app));
  const qc = new QueryClient();
  stop = syncPushes(client, qc);
  // What the app's domains publish reaches the cache through the push relay and the client.
  const publish = t.app.bus.publish.bind(t.app.bus);
  return { client, qc, publish };
}

describe('push sync: one place keeps the query cache current', () => {
  it('cameras: a changed camera is placed by name, a deleted one leaves the list and its snapshot', async () => {
    const { qc, publish } = await start();
    qc.setQueryData(keys.cameras, [camera('garage', 'Garage'), camera('porch', 'Porch')]);
    qc.setQueryData(keys.snapshots, [
      { cameraId: 'porch', imageId: 1, at: '', width: 1, height: 1, detections: [] },
    ]);
    publish('camera.changed', camera('attic', 'Attic', { status: 'offline' }));
    publish('camera.changed', camera('garage', 'Garage', { status: 'offline' }));
    expect(qc.getQueryData<Camera[]>(keys.cameras)!.map((c) => [c.id, c.status])).toEqual([
      ['attic', 'offline'],
      ['garage', 'offline'],
      ['porch', 'online'],
    ]);
    publish('camera.deleted', { id: 'porch' });
    expect(qc.getQueryData<Camera[]>(keys.cameras)!.map((c) => c.id)).toEqual(['attic', 'garage']);
    expect(qc.getQueryData(keys.snapshots)).toEqual([]);
  });

  it('alerts: a new alert joins the active view and the badge; acknowledging moves it out of both', async () => {
    const { qc, publish } = await start();
    qc.setQueryData<AlertPages>(
      keys.alerts('active'),
      pages([alert('a1', 'active', '2026-11-29T10:00:00Z')]),
    );
    qc.setQueryData<AlertPages>(
      keys.alerts('all'),
      pages([alert('a1', 'active', '2026-11-29T10:00:00Z')]),
    );
    qc.setQueryData<Page<Alert>>(keys.activeAlerts, { items: [], nextCursor: null });
    publish('alert.created', alert('a2', 'active', '2026-11-29T11:00:00Z'));
    const ids = (view: 'active' | 'all') =>
      qc
        .getQueryData<AlertPages>(keys.alerts(view))!
        .pages.flatMap((p) => p.items.map((a) => a.id));
    expect(ids('active')).toEqual(['a2', 'a1']);
    expect(qc.getQueryData<Page<Alert>>(keys.activeAlerts)!.items.map((a) => a.id)).toEqual(['a2']);
    publish('alert.resolved', alert('a2', 'acknowledged', '2026-11-29T11:00:00Z'));
    expect(ids('active')).toEqual(['a1']);
    expect(ids('all')).toEqual(['a2', 'a1']);
    expect(qc.getQueryData<Page<Alert>>(keys.activeAlerts)!.items).toEqual([]);
  });

  it('events: placed in order in a timeline from the newest, counted in matching stats, offered as new under a search', async () => {
    const { qc, publish } = await start();
    const all: EventFilter = {};
    const high: EventFilter = { riskLevels: ['high'] };
    qc.setQueryData<EventPages>(
      keys.events(all, null),
      pages([event('e3', '2026-11-29T12:00:00Z')], [event('e1', '2026-11-29T10:00:00Z')]),
    );
    const stats: EventStats = {
      total: 2,
      byRiskLevel: { low: 0, medium: 2, high: 0, critical: 0 },
      byCamera: [],
    };
    qc.setQueryData(keys.eventStats(all), stats);
    qc.setQueryData(keys.eventStats(high), {
      ...stats,
      total: 0,
      byRiskLevel: { ...stats.byRiskLevel, medium: 0 },
    });
    publish('event.created', event('e2', '2026-11-29T11:00:00Z'));
    const timeline = qc.getQueryData<EventPages>(keys.events(all, null))!;
    expect(timeline.pages.flatMap((p) => p.items.map((e) => e.id))).toEqual(['e3', 'e2', 'e1']);
    expect(qc.getQueryData<EventStats>(keys.eventStats(all))!.total).toBe(3);
    expect(qc.getQueryData<EventStats>(keys.eventStats(high))!.total).toBe(0);

    // Re-scored to high: moves from medium to high in the counts, and is replaced in place.
    publish(
      'event.rescored',
      event('e2', '2026-11-29T11:00:00Z', { riskLevel: 'high', riskScore: 70 }),
    );
    expect(qc.getQueryData<EventStats>(keys.eventStats(all))!.byRiskLevel).toMatchObject({
      medium: 2,
      high: 1,
    });
    expect(qc.getQueryData<EventStats>(keys.eventStats(high))!.total).toBe(1);

    // A search cannot be matched here: the page offers to refresh instead.
    expect(useEventsView.getState().hasNew).toBe(false);
    useEventsView.getState().setFilters({ q: 'person' });
    publish('event.created', event('e4', '2026-11-29T13:00:00Z'));
    expect(useEventsView.getState().hasNew).toBe(true);
  });

  it('deliveries, exports and desktop notifications land where their pages read them', async () => {
    const { qc, publish } = await start();
    const delivery = (id: string, status: Delivery['status']): Delivery => ({
      id,
      alertId: 'a',
      channelId: 'c',
      status,
      attempts: 1,
      lastError: null,
      nextAttemptAt: null,
      sentAt: null,
      createdAt: '2026-11-29T10:00:00Z',
    });
    qc.setQueryData(keys.deliveries(null), [delivery('d1', 'pending')]);
    qc.setQueryData(keys.deliveries('dead'), []);
    publish('delivery.changed', delivery('d1', 'dead'));
    expect(qc.getQueryData<Delivery[]>(keys.deliveries(null))!.map((d) => d.status)).toEqual([
      'dead',
    ]);
    expect(qc.getQueryData<Delivery[]>(keys.deliveries('dead'))!.map((d) => d.id)).toEqual(['d1']);

    const job = (status: ExportJob['status'], processed: number): ExportJob => ({
      id: 'x1',
      format: 'csv',
      status,
      filters: {},
      includeImages: false,
      progress: processed,
      processed,
      total: 100,
      rowCount: 100,
      fileName: null,
      fileSize: null,
      sha256: null,
      error: null,
      createdAt: '2026-11-29T10:00:00Z',
      startedAt: null,
      finishedAt: null,
    });
    qc.setQueryData(keys.exports, []);
    publish('export.changed', job('running', 50));
    publish('export.changed', job('completed', 100));
    // A late answer that is behind what is shown does not move the job back.
    publish('export.changed', job('running', 60));
    expect(qc.getQueryData<ExportJob[]>(keys.exports)!.map((j) => j.status)).toEqual(['completed']);

    publish('desktop.notified', {
      title: 'HIGH: Porch',
      body: 'A person',
      severity: 'high',
      eventId: 'e',
    });
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['HIGH: Porch']);
  });

  it('a push that lands while Load more reads the next page is applied once that page is in, and the page is kept', async () => {
    const { qc, publish } = await start();
    let release!: (page: Page<Alert>) => void;
    const options = {
      queryKey: keys.alerts('all'),
      initialPageParam: null as string | null,
      queryFn: ({ pageParam }: { pageParam: string | null }) =>
        pageParam === null
          ? Promise.resolve<Page<Alert>>({
              items: [alert('a2', 'active', '2026-11-29T11:00:00Z')],
              nextCursor: 'c0',
            })
          : new Promise<Page<Alert>>((resolve) => (release = resolve)),
      getNextPageParam: (last: Page<Alert>) => last.nextCursor,
      staleTime: Infinity,
    };
    await qc.fetchInfiniteQuery(options);
    const observer = new InfiniteQueryObserver(qc, options);
    const off = observer.subscribe(() => undefined);
    const more = observer.fetchNextPage();
    publish('alert.resolved', alert('a2', 'acknowledged', '2026-11-29T11:00:00Z'));
    release({ items: [alert('a1', 'active', '2026-11-29T10:00:00Z')], nextCursor: null });
    await more;
    off();
    const data = qc.getQueryData<AlertPages>(keys.alerts('all'))!;
    expect(data.pages.map((p) => p.items.map((a) => [a.id, a.status]))).toEqual([
      [['a2', 'acknowledged']],
      [['a1', 'active']],
    ]);
  });

  it('a re-scored event moves in the counts when only its detail is cached; found nowhere, the counts are read again', async () => {
    const { qc, publish } = await start();
    const all: EventFilter = {};
    qc.setQueryData<EventStats>(keys.eventStats(all), {
      total: 1,
      byRiskLevel: { low: 0, medium: 1, high: 0, critical: 0 },
      byCamera: [],
    });
    const at = '2026-11-29T11:00:00Z';
    qc.setQueryData(keys.event('e5'), { ...event('e5', at), detections: [] });
    publish('event.rescored', event('e5', at, { riskLevel: 'high', riskScore: 70 }));
    expect(qc.getQueryData<EventStats>(keys.eventStats(all))!.byRiskLevel).toMatchObject({
      medium: 0,
      high: 1,
    });
    expect(qc.getQueryData<{ riskLevel: string }>(keys.event('e5'))!.riskLevel).toBe('high');
    expect(qc.getQueryState(keys.eventStats(all))!.isInvalidated).toBe(false);
    publish('event.rescored', event('e6', at, { riskLevel: 'high', riskScore: 70 }));
    expect(qc.getQueryState(keys.eventStats(all))!.isInvalidated).toBe(true);
  });

  it('mqtt: a status push replaces the cached status, and the last messages are read again soon after', async () => {
    const { qc, publish } = await start();
    const status: MqttStatus = {
      state: 'connected',
      url: 'mqtt://127.0.0.1:1883',
      clientId: 'hsi-1',
      lastError: null,
      connectedAt: '2026-11-29T10:00:00.000Z',
      nextAttemptAt: null,
      queued: 0,
      dropped: 0,
      sent: 3,
      received: 0,
    };
    qc.setQueryData(keys.mqttStatus, { ...status, state: 'connecting', sent: 0 });
    await qc.fetchQuery({ queryKey: keys.mqttMessages, queryFn: () => [] });
    publish('mqtt.changed', status);
    expect(qc.getQueryData(keys.mqttStatus)).toEqual(status);
    await vi.waitFor(() => expect(qc.getQueryState(keys.mqttMessages)?.isInvalidated).toBe(true));
  });

  it('stops listening when stopped, and a reconnect reads everything shown again', async () => {
    const { qc, publish } = await start();
    await qc.fetchQuery({ queryKey: keys.cameras, queryFn: () => [] });
    stop!();
    stop = undefined;
    publish('camera.changed', camera('attic', 'Attic'));
    expect(qc.getQueryData(keys.cameras)).toEqual([]);
    expect(qc.getQueryState(keys.cameras)?.isInvalidated).toBe(false);
    refreshAfterReconnect(qc);
    expect(qc.getQueryState(keys.cameras)?.isInvalidated).toBe(true);
  });
});

describe('forms are checked by the contract schemas, with errors under their own fields', () => {
  it('rule: numbers kept as typed, conditions left empty become "any", contract messages under the fields', () => {
    const bad = ruleFormSchema.safeParse({
      ...emptyRuleForm(),
      name: ' ',
      minRiskScore: 'lots',
      schedule: { on: true, days: [], start: '25:00', end: '06:00', timezone: 'Mars/Olympus' },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['minRiskScore']);
    const later = ruleFormSchema.safeParse({
      ...emptyRuleForm(),
      name: ' ',
      schedule: { on: true, days: [], start: '25:00', end: '06:00', timezone: 'Mars/Olympus' },
    });
    expect(later.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([
        ['name', 'Name is required'],
        ['schedule.days', expect.any(String)],
        ['schedule.start', 'Use HH:MM (24-hour)'],
        ['schedule.timezone', 'Unknown time zone'],
      ]),
    );
    const good = ruleFormSchema.parse({
      ...emptyRuleForm(),
      name: 'People',
      objectClasses: 'person, car',
    });
    expect(good).toMatchObject({
      name: 'People',
      objectClasses: ['person', 'car'],
      minRiskScore: null,
      cameraIds: null,
      schedule: null,
      cooldownSeconds: 300,
    });
  });

  it('settings: only what changed is sent; a bad number is reported under its settings path', () => {
    const saved = defaultSettings();
    const form = formFrom(saved);
    const schema = settingsFormSchema(saved);
    expect(schema.parse(form)).toEqual({});
    expect(
      schema.parse({
        ...form,
        ingest: { ...form.ingest, ftp: { ...form.ingest.ftp, port: '2222' } },
      }),
    ).toEqual({ ingest: { ftp: { port: 2222 } } });
    expect(
      schema.parse({
        ...form,
        detector: { ...form.detector, decodeWorkers: '2', allowSpinning: true },
      }),
    ).toEqual({ detector: { decodeWorkers: 2, allowSpinning: true } });
    expect(form.detector.family).toBe('auto');
    expect(
      schema.parse({
        ...form,
        detector: { ...form.detector, modelPath: ' /models/mine.onnx ', family: 'nanodet' },
      }),
    ).toEqual({ detector: { modelPath: '/models/mine.onnx', family: 'nanodet' } });
    const tooMany = schema.safeParse({
      ...form,
      detector: { ...form.detector, decodeWorkers: '9' },
    });
    expect(tooMany.error!.issues.map((i) => i.path.join('.'))).toEqual(['detector.decodeWorkers']);
    const bad = schema.safeParse({
      ...form,
      detector: { ...form.detector, confidence: 'high', classes: ' , ' },
    });
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['detector.confidence', 'Enter a number'],
      ['detector.classes', 'List at least one class'],
    ]);
  });

  it('settings: a stored LLM key shown redacted is kept unless changed or cleared; the timeout is a number', () => {
    const saved = defaultSettings();
    saved.llm.apiKey = '[REDACTED]';
    const form = formFrom(saved);
    const schema = settingsFormSchema(saved);
    expect(form.llm.apiKey).toBe('[REDACTED]');
    expect(schema.parse(form)).toEqual({});
    expect(
      schema.parse({ ...form, llm: { ...form.llm, apiKey: ' sk-new ', timeoutMs: '5000' } }),
    ).toEqual({ llm: { apiKey: 'sk-new', timeoutMs: 5000 } });
    expect(schema.parse({ ...form, llm: { ...form.llm, apiKey: '' } })).toEqual({
      llm: { apiKey: '' },
    });
    const bad = schema.safeParse({ ...form, llm: { ...form.llm, timeoutMs: '50' } });
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['llm.timeoutMs']);
  });

  it('settings: inference servers are sent as a whole list (blank model and token left out), a stored token kept for its address only', () => {
    const saved = defaultSettings();
    const form = formFrom(saved);
    const schema = settingsFormSchema(saved);
    expect(form.detector).toMatchObject({
      backend: 'local',
      endpoints: [],
      fallbackToLocal: true,
      v2Binary: true,
    });
    const row = (over: Partial<EndpointRow>): EndpointRow => ({ ...emptyEndpointRow(), ...over });
    expect(emptyEndpointRow().maxConcurrent).toBe('4');
    expect(
      schema.parse({
        ...form,
        detector: {
          ...form.detector,
          backend: 'v2',
          endpoints: [
            row({ url: ' http://gpu.lan:8000 ', model: ' ', token: '' }),
            row({
              url: 'https://triton.lan',
              model: 'yolox_s',
              token: ' t0k ',
              maxConcurrent: '8',
            }),
          ],
          v2Binary: false,
        },
      }),
    ).toEqual({
      detector: {
        backend: 'v2',
        v2Binary: false,
        endpoints: [
          { url: 'http://gpu.lan:8000', maxConcurrent: 4 },
          { url: 'https://triton.lan', model: 'yolox_s', token: 't0k', maxConcurrent: 8 },
        ],
      },
    });
    expect(
      schema.parse({
        ...form,
        detector: {
          ...form.detector,
          backend: 'codeproject',
          endpoints: [row({ url: 'http://blue-onyx.lan:32168' })],
        },
      }),
    ).toEqual({
      detector: {
        backend: 'codeproject',
        endpoints: [{ url: 'http://blue-onyx.lan:32168', maxConcurrent: 4 }],
      },
    });
    // Inference servers with none listed; a bad address and count under their own row.
    const none = schema.safeParse({ ...form, detector: { ...form.detector, backend: 'v2' } });
    expect(none.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['detector.backend', 'Add an inference server, or choose This computer'],
    ]);
    const bad = schema.safeParse({
      ...form,
      detector: {
        ...form.detector,
        backend: 'v2',
        endpoints: [row({ url: 'http://ok.lan' }), row({ url: 'gpu.lan', maxConcurrent: '0' })],
      },
    });
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['detector.endpoints.1.url', 'Use an http:// or https:// address'],
      ['detector.endpoints.1.maxConcurrent', expect.any(String)],
    ]);
    // Rows edited while "This computer" is chosen are hidden: not sent.
    expect(
      schema.parse({ ...form, detector: { ...form.detector, endpoints: [row({ url: 'x' })] } }),
    ).toEqual({});

    // A saved token reads "[REDACTED]": kept as is with its address, refused with another.
    const stored = defaultSettings();
    stored.detector.backend = 'v2';
    stored.detector.endpoints = [
      { url: 'http://gpu.lan:8000', token: '[REDACTED]', maxConcurrent: 4 },
    ];
    const storedForm = formFrom(stored);
    const storedSchema = settingsFormSchema(stored);
    expect(storedForm.detector.endpoints).toEqual([
      { url: 'http://gpu.lan:8000', model: '', token: '[REDACTED]', maxConcurrent: '4' },
    ]);
    expect(storedSchema.parse(storedForm)).toEqual({});
    const endpoints = storedForm.detector.endpoints;
    expect(
      storedSchema.parse({
        ...storedForm,
        detector: { ...storedForm.detector, endpoints: [{ ...endpoints[0]!, maxConcurrent: '2' }] },
      }),
    ).toEqual({
      detector: {
        endpoints: [{ url: 'http://gpu.lan:8000', token: '[REDACTED]', maxConcurrent: 2 }],
      },
    });
    const moved = storedSchema.safeParse({
      ...storedForm,
      detector: {
        ...storedForm.detector,
        endpoints: [{ ...endpoints[0]!, url: 'http://other.lan:8000' }],
      },
    });
    expect(moved.error!.issues.map((i) => i.path.join('.'))).toEqual([
      'detector.endpoints.0.token',
    ]);
    // The server's issue for a row's field goes under that field.
    const refused = new ApiError('invalid_input', 'Invalid settings', [
      { path: ['detector', 'endpoints', 0, 'url'], message: 'Use an http:// or https:// address' },
    ]);
    expect(formErrorsFrom(refused, SETTINGS_FIELD_KEYS)).toEqual({
      fields: { 'detector.endpoints.0.url': ['Use an http:// or https:// address'] },
      form: null,
    });
  });

  it('settings: more LLM servers are sent as a whole list (blank model and key left out), a stored key kept for its address only, a bad address under its row', () => {
    const saved = defaultSettings();
    const form = formFrom(saved);
    const schema = settingsFormSchema(saved);
    expect(form.llm).toMatchObject({ endpoints: [], balance: 'priority' });
    const row = (over: Partial<LlmEndpointRow>): LlmEndpointRow => ({
      ...emptyLlmEndpointRow(),
      ...over,
    });
    expect(
      schema.parse({
        ...form,
        llm: {
          ...form.llm,
          balance: 'round-robin',
          endpoints: [
            row({ baseUrl: ' http://gpu.lan:8080 ', model: ' ' }),
            row({ baseUrl: 'https://llm.example', model: 'qwen3', apiKey: ' sk-1 ' }),
          ],
        },
      }),
    ).toEqual({
      llm: {
        balance: 'round-robin',
        endpoints: [
          { baseUrl: 'http://gpu.lan:8080' },
          { baseUrl: 'https://llm.example', model: 'qwen3', apiKey: 'sk-1' },
        ],
      },
    });
    const bad = schema.safeParse({
      ...form,
      llm: {
        ...form.llm,
        endpoints: [row({ baseUrl: 'http://ok.lan' }), row({ baseUrl: 'gpu.lan:8080' })],
      },
    });
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['llm.endpoints.1.baseUrl', 'Use an http:// or https:// address'],
    ]);
    expect(SETTINGS_FIELD_KEYS).toContain('llm.endpoints.1.baseUrl');

    // A saved key reads "[REDACTED]": kept as is with its address, refused with another.
    const stored = defaultSettings();
    stored.llm.endpoints = [{ baseUrl: 'http://gpu.lan:8080', apiKey: '[REDACTED]' }];
    const storedForm = formFrom(stored);
    const storedSchema = settingsFormSchema(stored);
    const [first] = storedForm.llm.endpoints;
    expect(first).toEqual({ baseUrl: 'http://gpu.lan:8080', model: '', apiKey: '[REDACTED]' });
    expect(storedSchema.parse(storedForm)).toEqual({});
    const withRow = (...endpoints: LlmEndpointRow[]) => ({
      ...storedForm,
      llm: { ...storedForm.llm, endpoints },
    });
    expect(storedSchema.parse(withRow({ ...first!, model: 'qwen3' }))).toEqual({
      llm: {
        endpoints: [{ baseUrl: 'http://gpu.lan:8080', model: 'qwen3', apiKey: '[REDACTED]' }],
      },
    });
    expect(storedSchema.parse(withRow({ ...first!, apiKey: '' }))).toEqual({
      llm: { endpoints: [{ baseUrl: 'http://gpu.lan:8080' }] },
    });
    const moved = storedSchema.safeParse(withRow({ ...first!, baseUrl: 'http://other.lan:8080' }));
    expect(moved.error!.issues.map((i) => i.path.join('.'))).toEqual(['llm.endpoints.0.apiKey']);
    expect(storedSchema.parse(withRow())).toEqual({ llm: { endpoints: [] } });
  });

  it('detection server settings: only what changed is sent, a stored token kept; the address it is reached at', () => {
    const saved = defaultSettings();
    saved.detectionServer.token = '[REDACTED]';
    const form = detectionServerFormFrom(saved);
    const schema = detectionServerFormSchema(saved);
    expect(form.detectionServer).toEqual({
      enabled: false,
      host: '127.0.0.1',
      port: '8471',
      token: '[REDACTED]',
      concurrency: '1',
      queue: '32',
      maxBodyMegabytes: '64',
      maxPerSecond: '100',
    });
    expect(schema.parse(form)).toEqual({});
    expect(
      schema.parse({
        detectionServer: {
          ...form.detectionServer,
          enabled: true,
          host: ' 0.0.0.0 ',
          port: '9000',
          token: ' s3cret ',
          maxBodyMegabytes: '16',
        },
      }),
    ).toEqual({
      detectionServer: {
        enabled: true,
        host: '0.0.0.0',
        port: 9000,
        token: 's3cret',
        maxBodyMegabytes: 16,
      },
    });
    expect(schema.parse({ detectionServer: { ...form.detectionServer, token: '' } })).toEqual({
      detectionServer: { token: '' },
    });
    const bad = schema.safeParse({
      detectionServer: { ...form.detectionServer, port: 'http', concurrency: '0', host: ' ' },
    });
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['detectionServer.port']);
    const contract = schema.safeParse({
      detectionServer: { ...form.detectionServer, port: '70000', concurrency: '0', host: ' ' },
    });
    expect(contract.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'detectionServer.concurrency',
      'detectionServer.host',
      'detectionServer.port',
    ]);

    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.1.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'nas.lan']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(detectionServerUrls('127.0.0.1', 8471)).toEqual({
      v2: 'http://127.0.0.1:8471',
      codeProject: 'http://127.0.0.1:8471/v1/vision/detection',
    });
    expect(detectionServerUrls('::1', 8471).v2).toBe('http://[::1]:8471');
  });

  it('detector status in words: where it runs, and each inference server state', () => {
    const status: DetectorStatus = {
      status: 'ready',
      reason: null,
      model: 'yolox_nano',
      family: 'yolox',
      modelPath: null,
      provider: 'cpu',
      inputSize: [416, 416],
      intraOpThreads: 2,
      concurrency: 1,
      allowSpinning: false,
      decodeWorkers: 1,
      backend: 'local',
      endpoints: [],
    };
    expect(detectorText(status)).toBe(
      'Detecting on this computer · Model yolox_nano (yolox) on CPU · input 416×416',
    );
    expect(detectorText({ ...status, backend: 'local (fallback)' })).toMatch(
      /^Inference servers down: detecting on this computer · Model yolox_nano/,
    );
    expect(detectorText({ ...status, backend: 'v2', provider: 'v2 (http://gpu.lan:8000)' })).toBe(
      'Detecting on inference servers · Model yolox_nano (yolox) · input 416×416',
    );
    expect(detectorText({ ...status, backend: 'v2', status: 'loading' })).toBe(
      'Connecting to inference servers…',
    );
    expect(detectorText({ ...status, status: 'unavailable', reason: 'no model' })).toBe(
      'Detector unavailable: no model',
    );
    expect(endpointStateText('closed')).toBe('Up');
    expect(endpointStateText('open')).toBe('Down');
    expect(endpointStateText('half-open')).toBe('Trying again');
  });

  it('mqtt settings: only what changed is sent (QoS and queue limit as numbers), a stored password is kept unless changed', () => {
    const saved = defaultSettings();
    saved.mqtt.password = '[REDACTED]';
    const form = formFrom(saved);
    const mqtt = mqttFormFrom(saved);
    const schema = mqttFormSchema(saved);
    expect(form).not.toHaveProperty('mqtt');
    expect(mqtt.mqtt.password).toBe('[REDACTED]');
    expect(schema.parse(mqtt)).toEqual({});
    const edited = {
      mqtt: {
        ...mqtt.mqtt,
        enabled: true,
        url: ' mqtt://broker.lan:1883 ',
        qos: '2' as const,
        queueLimit: '50',
        tls: { ...mqtt.mqtt.tls, rejectUnauthorized: false },
        discovery: { ...mqtt.mqtt.discovery, prefix: 'ha' },
      },
    };
    expect(schema.parse(edited)).toEqual({
      mqtt: {
        enabled: true,
        url: 'mqtt://broker.lan:1883',
        qos: 2,
        queueLimit: 50,
        tls: { rejectUnauthorized: false },
        discovery: { prefix: 'ha' },
      },
    });
    // Cleared: the stored password is removed; typed: sent as typed (spaces kept).
    expect(schema.parse({ mqtt: { ...mqtt.mqtt, password: '' } })).toEqual({
      mqtt: { password: '' },
    });
    expect(schema.parse({ mqtt: { ...mqtt.mqtt, password: ' s3cret ' } })).toEqual({
      mqtt: { password: ' s3cret ' },
    });
    const bad = schema.safeParse({
      mqtt: { ...mqtt.mqtt, url: 'http://broker.lan', queueLimit: 'many', baseTopic: 'hsi/#' },
    });
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['mqtt.queueLimit']);
    const contract = schema.safeParse({
      mqtt: { ...mqtt.mqtt, url: 'http://broker.lan', queueLimit: '5', baseTopic: 'hsi/#' },
    });
    expect(contract.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'mqtt.baseTopic',
      'mqtt.queueLimit',
      'mqtt.url',
    ]);
  });

  it('mqtt: Test connection sends the form as typed; the state and outcomes read as words', () => {
    const saved = defaultSettings();
    saved.mqtt.password = '[REDACTED]';
    const form = mqttFormFrom(saved);
    form.mqtt.url = ' mqtt://127.0.0.1:1884 ';
    form.mqtt.tls.caFile = ' /etc/ca.pem ';
    expect(mqttTestInput(form)).toEqual({
      url: 'mqtt://127.0.0.1:1884',
      username: '',
      password: '[REDACTED]',
      clientId: '',
      tls: { caFile: '/etc/ca.pem', certFile: '', keyFile: '', rejectUnauthorized: true },
    });
    const base: MqttStatus = {
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
    expect(mqttStateText(base)).toBe('Off');
    expect(mqttStateText({ ...base, state: 'connected', connectedAt: null })).toBe('Connected');
    expect(
      mqttStateText({
        ...base,
        state: 'reconnecting',
        lastError: 'connect ECONNREFUSED',
        nextAttemptAt: '2026-11-29T10:00:04.000Z',
      }),
    ).toMatch(/^Reconnecting — next try at .+: connect ECONNREFUSED$/);
    const record = {
      at: '',
      direction: 'in' as const,
      topic: 'hsi/cmd',
      bytes: 3,
      retained: false,
      preview: 'x',
    };
    expect(outcomeText({ ...record, outcome: 'ignored', note: 'not JSON' })).toBe(
      'Ignored: not JSON',
    );
    expect(outcomeText({ ...record, outcome: 'sent', retained: true, note: null })).toBe(
      'Sent, retained',
    );
  });

  it("a list's error sits under its item; the field shows the first message below it", () => {
    const issues = channelFormSchema(null).safeParse({
      ...emptyChannelForm(),
      kind: 'email',
      name: 'Me',
      config: { ...emptyChannelForm().config, host: 'mail', from: 'a@b.test', to: 'c@d.test, bob' },
    }).error!.issues;
    expect(issues.map((i) => i.path.join('.'))).toEqual(['config.to.1']);
    // As react-hook-form keeps it: an array under the field, the message on the item.
    const error = { 1: { type: 'invalid_format', message: issues[0]!.message, ref: {} } };
    expect(firstMessage(error)).toBe(issues[0]!.message);
    expect(firstMessage({ type: 'server', message: 'Taken' })).toBe('Taken');
    expect(firstMessage(undefined)).toBeUndefined();
  });

  it('channel: a stored secret is kept unless a new one is typed or it is removed', () => {
    const stored: NotificationChannel = {
      id: 'c1',
      kind: 'webhook',
      name: 'Hub',
      enabled: true,
      config: { url: 'http://127.0.0.1:9/hook', secret: '[REDACTED]', timeoutMs: 5000 },
      createdAt: '',
      updatedAt: '',
    };
    const schema = channelFormSchema(stored);
    const form = channelFormFrom(stored);
    expect(schema.parse(form).config).toMatchObject({ secret: '[REDACTED]' });
    expect(
      schema.parse({ ...form, config: { ...form.config, removeSecret: true } }).config,
    ).not.toHaveProperty('secret');
    const fresh = channelFormSchema(null).safeParse({
      ...emptyChannelForm(),
      name: 'Hub',
      config: { ...emptyChannelForm().config, url: 'ftp://nope', timeoutMs: 'soon' },
    });
    expect(fresh.error!.issues.map((i) => i.path.join('.'))).toEqual(['config.timeoutMs']);
  });

  it('channel: an mqtt channel publishes to a topic without wildcards, retained only when asked', () => {
    const form = {
      ...emptyChannelForm(),
      kind: 'mqtt' as const,
      name: 'Hub',
      config: { ...emptyChannelForm().config, topic: ' home/alerts ' },
    };
    expect(channelFormSchema(null).parse(form)).toEqual({
      kind: 'mqtt',
      name: 'Hub',
      enabled: true,
      config: { topic: 'home/alerts', retain: false },
    });
    const wildcard = channelFormSchema(null).safeParse({
      ...form,
      config: { ...form.config, topic: 'home/#' },
    });
    expect(wildcard.error!.issues.map((i) => i.path.join('.'))).toEqual(['config.topic']);
    const stored: NotificationChannel = {
      id: 'c2',
      kind: 'mqtt',
      name: 'Hub',
      enabled: true,
      config: { topic: 'home/alerts', retain: true },
      createdAt: '',
      updatedAt: '',
    };
    const again = channelFormFrom(stored);
    expect(again.config).toMatchObject({ topic: 'home/alerts', retain: true });
    expect(channelFormSchema(stored).parse(again).config).toEqual({
      topic: 'home/alerts',
      retain: true,
    });
  });
});

describe('pushed jobs and re-evaluated events in the cache', () => {
  const job = (status: Job['status'], processed: number): Job => ({
    id: 'j1',
    kind: 'recalibrate',
    status,
    progress: processed,
    processed,
    total: 100,
    result: null,
    error: null,
    createdAt: '2026-11-29T10:00:00.000Z',
    startedAt: null,
    finishedAt: null,
  });

  it('a late reply never puts an older job state back over a newer push', () => {
    const qc = new QueryClient();
    qc.setQueryData<Job[]>(keys.jobs('recalibrate'), []);
    cacheJob(qc, job('running', 10));
    cacheJob(qc, job('completed', 100));
    cacheJob(qc, job('running', 40)); // the reply to a call made before it finished
    expect(qc.getQueryData<Job[]>(keys.jobs('recalibrate'))).toEqual([job('completed', 100)]);
  });

  it('a job of any kind joins the recent jobs list, newest first, held to its length', () => {
    const qc = new QueryClient();
    const older = (i: number): Job => ({
      ...job('completed', 100),
      id: `old${i}`,
      kind: 'prompt-evaluate',
      createdAt: `2026-11-28T10:00:${String(i).padStart(2, '0')}.000Z`,
    });
    const listed = Array.from({ length: RECENT_JOBS_LIMIT }, (_, i) => older(59 - i));
    qc.setQueryData<Job[]>(keys.recentJobs, listed);
    cacheJob(qc, job('running', 10));
    cacheJob(qc, job('running', 5)); // late
    const recent = qc.getQueryData<Job[]>(keys.recentJobs)!;
    expect(recent).toHaveLength(RECENT_JOBS_LIMIT);
    expect(recent[0]).toEqual(job('running', 10));
    expect(recent[1]!.id).toBe('old59');
    expect(recent.some((j) => j.id === 'old10')).toBe(false);
  });

  it('a batch of new scores patches loaded timelines and the detail, and counts are read again', () => {
    const qc = new QueryClient();
    const a = securityEvent({ id: 'a', riskScore: 40, riskLevel: 'medium' });
    const b = securityEvent({ id: 'b', riskScore: 20, riskLevel: 'low' });
    const page: Page<SecurityEvent> = { items: [a, b], nextCursor: null };
    qc.setQueryData<EventPages>(keys.events({}, null), { pages: [page], pageParams: [null] });
    qc.setQueryData(keys.event('a'), { ...a, detections: [] });
    qc.setQueryData(keys.eventStats({}), { total: 2 });
    cacheRescoredEvents(qc, [{ id: 'a', riskScore: 60, riskLevel: 'high' }]);
    const items = qc.getQueryData<EventPages>(keys.events({}, null))!.pages[0]!.items;
    expect(items.map((e) => [e.id, e.riskScore, e.riskLevel])).toEqual([
      ['a', 60, 'high'],
      ['b', 20, 'low'],
    ]);
    expect(qc.getQueryData<SecurityEvent>(keys.event('a'))).toMatchObject({ riskScore: 60 });
    expect(qc.getQueryState(keys.eventStats({}))?.isInvalidated).toBe(true);
  });
});
