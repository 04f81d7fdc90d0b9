/**
 * Server state in the query cache (TanStack Query): the key of everything the UI loads, and
 * how a push changes what is cached. React-free, so push handling is plain functions over a
 * QueryClient (`push-sync.ts`) that tests can run without a page.
 */
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { EventFilter, EventWithDetections, Page, PushEvents } from '../src-shared/contract';
import type { Service } from '../src-shared/services';
import type {
  Alert,
  AlertRule,
  Job,
  SystemHealth,
  Camera,
  CameraSnapshot,
  Delivery,
  DeliveryStatus,
  EventStats,
  ExportJob,
  ExportStatus,
  NotificationChannel,
  SecurityEvent,
} from '../src-shared/domain';
import { compareNewestFirst, matchesFilter } from './event-filters';

export type AlertView = 'active' | 'all';

/** Query keys: one place, so pushes and pages agree on what is cached where. */
export const keys = {
  cameras: ['cameras'] as const,
  zones: (cameraId: string) => ['zones', cameraId] as const,
  snapshots: ['snapshots'] as const,
  ingestStatus: ['ingestStatus'] as const,
  detectorStatus: ['detectorStatus'] as const,
  /** The detector models this machine has or can download (`detector.models`). */
  detectorModels: ['detectorModels'] as const,
  quarantine: ['quarantine'] as const,
  health: ['health'] as const,
  settings: ['settings'] as const,
  calibration: ['calibration'] as const,
  preferences: ['preferences'] as const,
  rules: ['alertRules'] as const,
  channels: ['channels'] as const,
  deliveries: (status: DeliveryStatus | null) => ['deliveries', status] as const,
  deliveriesAll: ['deliveries'] as const,
  exports: ['exports'] as const,
  alerts: (view: AlertView) => ['alerts', view] as const,
  alertsAll: ['alerts'] as const,
  activeAlerts: ['activeAlerts'] as const,
  /** The timeline: a filter, and the cursor it starts after (null: from the newest). */
  events: (filter: EventFilter, start: string | null) => ['events', filter, start] as const,
  eventsAll: ['events'] as const,
  eventStats: (filter: EventFilter) => ['eventStats', filter] as const,
  eventStatsAll: ['eventStats'] as const,
  event: (id: string) => ['event', id] as const,
  activity: ['activity'] as const,
  riskGauge: ['riskGauge'] as const,
  /** Background jobs of a kind (newest first). */
  jobs: (kind: string) => ['jobs', kind] as const,
  /** The newest background jobs of every kind (the Operations page; Load more adds pages). */
  recentJobs: ['recentJobs'] as const,
  /** One job's status changes and log lines, oldest first. */
  jobHistory: (id: string) => ['jobHistory', id] as const,
  /** Items jobs could not process (pages, newest first). */
  deadLetters: ['deadLetters'] as const,
  /** The app's services and the local servers it manages, dependencies first. */
  services: ['services'] as const,
  /** A service's latest log lines. */
  serviceLogs: (name: string) => ['serviceLogs', name] as const,
  calibrationPreview: (input: unknown) => ['calibrationPreview', input] as const,
  calibrationPreviewAll: ['calibrationPreview'] as const,
  calibrationSuggest: ['calibrationSuggest'] as const,
  ignoreOffer: (eventId: string) => ['ignoreOffer', eventId] as const,
  promptTemplates: ['promptTemplates'] as const,
  promptTemplate: (id: string) => ['promptTemplate', id] as const,
  promptTemplateAll: ['promptTemplate'] as const,
  promptAnalytics: (templateId: string) => ['promptAnalytics', templateId] as const,
  promptEvaluation: (jobId: string) => ['promptEvaluation', jobId] as const,
  /** The events the prompt playground offers to run on. */
  recentEvents: ['recentEvents'] as const,
  /** Machine samples over a range ending now, and per-stage latency over a window. */
  machine: (range: string) => ['machine', range] as const,
  pipeline: (windowSeconds: number) => ['pipeline', windowSeconds] as const,
  /** One analytics channel's answer for a range and cameras. */
  analytics: (channel: string, range: unknown) => ['analytics', channel, range] as const,
  analyticsAll: ['analytics'] as const,
  storage: ['storage'] as const,
  /** The MQTT connection (`mqtt.status`, kept current by its push) and its last messages. */
  mqttStatus: ['mqttStatus'] as const,
  mqttMessages: ['mqttMessages'] as const,
};

interface Named {
  id: string;
  name: string;
}

/** By name (case-insensitive), then id: how cameras, rules and channels are listed. */
export function byName(a: Named, b: Named): number {
  return (
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id)
  );
}

/** The list with `item` put in (replacing one with its id), in `compare` order. */
export function upsert<T extends { id: string }>(
  list: readonly T[] | undefined,
  item: T,
  compare: (a: T, b: T) => number,
): T[] {
  return [...(list ?? []).filter((x) => x.id !== item.id), item].sort(compare);
}

export function removeById<T extends { id: string }>(list: readonly T[] | undefined, id: string) {
  return list?.filter((x) => x.id !== id);
}

/** Newest first by creation, then id (alerts, deliveries, exports). */
export function createdNewestFirst(
  a: { createdAt: string; id: string },
  b: { createdAt: string; id: string },
): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export const sortCameras = (cameras: readonly Camera[]) => [...cameras].sort(byName);

// --- Alerts --------------------------------------------------------------------------------

export type AlertPages = InfiniteData<Page<Alert>, unknown>;

function belongs(view: AlertView, alert: Alert): boolean {
  return view === 'all' || alert.status === 'active';
}

/** An alert from a push or an answer placed in the loaded pages of a view. */
export function applyAlert(
  data: AlertPages | undefined,
  alert: Alert,
  view: AlertView,
): AlertPages | undefined {
  if (!data) return data;
  const items = data.pages.flatMap((p) => p.items);
  const index = items.findIndex((a) => a.id === alert.id);
  const lastPage = data.pages[data.pages.length - 1];
  const more = lastPage?.nextCursor !== null;
  let next: Alert[];
  if (!belongs(view, alert)) {
    if (index === -1) return data;
    next = items.filter((a) => a.id !== alert.id);
  } else if (index !== -1) {
    next = items.map((a) => (a.id === alert.id ? alert : a));
  } else {
    const last = items[items.length - 1];
    // Older than everything loaded while more pages remain: a later page brings it.
    if (more && last && createdNewestFirst(alert, last) > 0) return data;
    next = [...items, alert].sort(createdNewestFirst);
  }
  return repage(data, next);
}

/** The same pages holding `items` (page sizes kept; the last page takes the rest). */
function repage<T>(
  data: InfiniteData<Page<T>, unknown>,
  items: T[],
): InfiniteData<Page<T>, unknown> {
  let at = 0;
  const pages = data.pages.map((page, i) => {
    const last = i === data.pages.length - 1;
    const size = last ? items.length - at : page.items.length;
    const slice = items.slice(at, at + Math.max(0, size));
    at += slice.length;
    return { ...page, items: slice };
  });
  return { ...data, pages };
}

/** The sidebar badge's list: the active alerts (one page of up to ACTIVE_ALERTS_LIMIT). */
export function applyActiveAlert(page: Page<Alert> | undefined, alert: Alert) {
  if (!page) return page;
  const has = page.items.some((a) => a.id === alert.id);
  const active = alert.status === 'active';
  if (has === active) return page;
  return {
    ...page,
    items: active ? [alert, ...page.items] : page.items.filter((a) => a.id !== alert.id),
  };
}

// --- Deliveries and exports ----------------------------------------------------------------

/** How many deliveries the log shows. */
export const DELIVERIES_LIMIT = 100;

export function applyDelivery(
  items: readonly Delivery[] | undefined,
  delivery: Delivery,
  statusFilter: DeliveryStatus | null,
): Delivery[] | undefined {
  if (!items) return items;
  const others = items.filter((d) => d.id !== delivery.id);
  const shown = statusFilter === null || delivery.status === statusFilter;
  if (!shown) return others.length === items.length ? [...items] : others;
  const known = others.length !== items.length;
  const last = items[items.length - 1];
  // A new delivery older than everything shown of a full log stays out of it.
  if (
    !known &&
    items.length >= DELIVERIES_LIMIT &&
    last &&
    createdNewestFirst(delivery, last) > 0
  ) {
    return [...items];
  }
  const next = [...others, delivery].sort(createdNewestFirst);
  return next.slice(0, Math.max(DELIVERIES_LIMIT, items.length));
}

export function isActive(status: ExportStatus): boolean {
  return status === 'pending' || status === 'running';
}

const STAGE: Record<ExportStatus, number> = {
  pending: 0,
  running: 1,
  completed: 2,
  failed: 2,
  cancelled: 2,
};

/**
 * Whether `next` is not older than `shown`. Pushes arrive in order, but the answers to
 * `exports.create` and `exports.list` can overtake them: a job never goes back from finished
 * to running, from running to pending, or to less work done.
 */
export function isCurrent(next: ExportJob, shown: ExportJob): boolean {
  if (STAGE[shown.status] === 2) return false;
  if (STAGE[next.status] !== STAGE[shown.status]) return STAGE[next.status] > STAGE[shown.status];
  return next.processed >= shown.processed;
}

export function applyExportJob(items: readonly ExportJob[] | undefined, job: ExportJob) {
  const list = items ?? [];
  const shown = list.find((j) => j.id === job.id);
  if (!shown) return [...list, job].sort(createdNewestFirst);
  if (!isCurrent(job, shown)) return [...list];
  return list.map((j) => (j.id === job.id ? job : j));
}

/** A fresh list merged with what is shown: a job shown further along than listed stays so. */
export function mergeExportList(
  listed: readonly ExportJob[],
  shown: readonly ExportJob[] | undefined,
): ExportJob[] {
  const before = new Map((shown ?? []).map((j) => [j.id, j]));
  const items = listed.map((job) => {
    const current = before.get(job.id);
    return current && !isCurrent(job, current) ? current : job;
  });
  const listedIds = new Set(listed.map((j) => j.id));
  // Started (or pushed) after the list was read.
  for (const job of shown ?? []) if (!listedIds.has(job.id)) items.push(job);
  return items.sort(createdNewestFirst);
}

// --- Events --------------------------------------------------------------------------------

export type EventPages = InfiniteData<Page<SecurityEvent>, unknown>;

/** A new event placed in a timeline that starts at the newest event (unchanged: it cannot be). */
export function insertEvent(
  data: EventPages | undefined,
  event: SecurityEvent,
): EventPages | undefined {
  if (!data) return data;
  const items = data.pages.flatMap((p) => p.items);
  if (items.some((e) => e.id === event.id)) return replaceEvent(data, event);
  const at = items.findIndex((e) => compareNewestFirst(event, e) < 0);
  const more = data.pages[data.pages.length - 1]?.nextCursor !== null;
  // Older than everything loaded: a later page brings it.
  if (at === -1 && more) return data;
  // Into the page that holds its position (the flattened order is what counts).
  let position = at === -1 ? items.length : at;
  let placed = false;
  const pages = data.pages.map((page) => {
    if (placed || position > page.items.length) {
      position -= page.items.length;
      return page;
    }
    placed = true;
    const copy = [...page.items];
    copy.splice(position, 0, event);
    return { ...page, items: copy };
  });
  return { ...data, pages };
}

/** An event that changed, wherever it is loaded. */
export function replaceEvent(
  data: EventPages | undefined,
  event: SecurityEvent,
): EventPages | undefined {
  if (!data) return data;
  let found = false;
  const pages = data.pages.map((page) => {
    if (!page.items.some((e) => e.id === event.id)) return page;
    found = true;
    return { ...page, items: page.items.map((e) => (e.id === event.id ? event : e)) };
  });
  return found ? { ...data, pages } : data;
}

/** The events loaded in a timeline, in order. */
export function loadedEvents(data: EventPages | undefined): SecurityEvent[] {
  return data?.pages.flatMap((p) => p.items) ?? [];
}

/** Counts with one event added (+1) or taken away (-1). */
export function bumpStats(stats: EventStats | undefined, event: SecurityEvent, by: 1 | -1) {
  if (!stats) return stats;
  return {
    ...stats,
    total: Math.max(0, stats.total + by),
    byRiskLevel: {
      ...stats.byRiskLevel,
      [event.riskLevel]: Math.max(0, stats.byRiskLevel[event.riskLevel] + by),
    },
  };
}

/** Whether a pushed event counts in stats or lists under this filter (no text search). */
export function eventMatches(event: SecurityEvent, filter: EventFilter): boolean {
  return !filter.q && matchesFilter(event, filter);
}

// --- Cache updates, shared by pushes and by the answers to the page's own calls -------------

/**
 * What is being read right now may have been read before this change reached the server, and
 * its answer replaces what the change just updated. A next page being read (Load more) is
 * let finish and `reapply` runs once it has landed (its answer carries the pages as they were
 * when it started; starting over would drop the page asked for); anything else is read again.
 */
export function readAgainIfLoading(
  qc: QueryClient,
  queryKey: readonly unknown[],
  reapply?: () => void,
): void {
  const cache = qc.getQueryCache();
  for (const query of cache.findAll({ queryKey, fetchStatus: 'fetching' })) {
    if (reapply && query.state.fetchMeta?.fetchMore) {
      const off = cache.subscribe((e) => {
        if (e.query !== query) return;
        if (e.type === 'removed') off();
        else if (query.state.fetchStatus !== 'fetching') {
          off();
          reapply();
        }
      });
    } else {
      void qc.invalidateQueries({ queryKey: query.queryKey, exact: true });
    }
  }
}

/**
 * A template's versions, active mark or experiment changed: its detail, the list (version
 * counts, active variables) and its analytics are read again (no push carries them).
 */
export function refreshPromptTemplate(qc: QueryClient, templateId: string): void {
  void qc.invalidateQueries({ queryKey: keys.promptTemplate(templateId) });
  void qc.invalidateQueries({ queryKey: keys.promptTemplates });
  void qc.invalidateQueries({ queryKey: keys.promptAnalytics(templateId) });
}

/** A camera created, changed or gone online/offline. */
export function cacheCamera(qc: QueryClient, camera: Camera): void {
  qc.setQueryData<Camera[]>(keys.cameras, (list) => list && upsert(list, camera, byName));
  readAgainIfLoading(qc, keys.cameras);
}

export function uncacheCamera(qc: QueryClient, id: string): void {
  qc.setQueryData<Camera[]>(keys.cameras, (list) => removeById(list, id));
  qc.setQueryData<CameraSnapshot[]>(keys.snapshots, (list) =>
    list?.filter((s) => s.cameraId !== id),
  );
  qc.removeQueries({ queryKey: keys.zones(id) });
}

export function cacheRule(qc: QueryClient, rule: AlertRule): void {
  qc.setQueryData<AlertRule[]>(keys.rules, (list) => list && upsert(list, rule, byName));
}

export function uncacheRule(qc: QueryClient, id: string): void {
  qc.setQueryData<AlertRule[]>(keys.rules, (list) => removeById(list, id));
}

export function cacheChannel(qc: QueryClient, channel: NotificationChannel): void {
  qc.setQueryData<NotificationChannel[]>(
    keys.channels,
    (list) => list && upsert(list, channel, byName),
  );
}

export function uncacheChannel(qc: QueryClient, id: string): void {
  qc.setQueryData<NotificationChannel[]>(keys.channels, (list) => removeById(list, id));
}

/** An alert created, acknowledged or dismissed: every loaded view and the badge. */
export function cacheAlert(qc: QueryClient, alert: Alert): void {
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.alertsAll })) {
    const view = query.queryKey[1] as AlertView;
    qc.setQueryData<AlertPages>(query.queryKey, (data) => applyAlert(data, alert, view));
  }
  qc.setQueryData<Page<Alert>>(keys.activeAlerts, (page) => applyActiveAlert(page, alert));
  readAgainIfLoading(qc, keys.alertsAll, () => cacheAlert(qc, alert));
  readAgainIfLoading(qc, keys.activeAlerts);
}

export function cacheDelivery(qc: QueryClient, delivery: Delivery): void {
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.deliveriesAll })) {
    const status = query.queryKey[1] as DeliveryStatus | null;
    qc.setQueryData<Delivery[]>(query.queryKey, (items) => applyDelivery(items, delivery, status));
  }
  readAgainIfLoading(qc, keys.deliveriesAll);
}

export function cacheExportJob(qc: QueryClient, job: ExportJob): void {
  qc.setQueryData<ExportJob[]>(keys.exports, (items) => applyExportJob(items, job));
}

/** New scores for many events at once (one re-evaluation batch). */
export type RescoredEvents = PushEvents['events.updated']['events'];

/**
 * Many events got new scores at once (a re-evaluation batch): patched wherever they are
 * loaded; timelines filtered by risk, the counts and the gauge are read again (which events
 * they hold may have changed).
 */
export function cacheRescoredEvents(qc: QueryClient, updates: RescoredEvents): void {
  const byId = new Map(updates.map((u) => [u.id, u]));
  const patch = <T extends SecurityEvent>(e: T): T => {
    const u = byId.get(e.id);
    return u ? { ...e, riskScore: u.riskScore, riskLevel: u.riskLevel } : e;
  };
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.eventsAll })) {
    const filter = query.queryKey[1] as EventFilter;
    if (filter.riskLevels || filter.minRisk !== undefined || filter.maxRisk !== undefined) {
      void qc.invalidateQueries({ queryKey: query.queryKey, exact: true });
      continue;
    }
    qc.setQueryData<EventPages>(query.queryKey, (data) =>
      data && data.pages.some((p) => p.items.some((e) => byId.has(e.id)))
        ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map(patch) })) }
        : data,
    );
  }
  // A page or detail being read now left before these scores: it is read again after.
  readAgainIfLoading(qc, keys.eventsAll);
  for (const u of updates) {
    qc.setQueryData<EventWithDetections>(keys.event(u.id), (full) => full && patch(full));
    readAgainIfLoading(qc, keys.event(u.id));
  }
  qc.setQueryData<SecurityEvent[]>(keys.activity, (list) => list?.map(patch));
  readAgainIfLoading(qc, keys.activity);
  void qc.invalidateQueries({ queryKey: keys.eventStatsAll });
  void qc.invalidateQueries({ queryKey: keys.riskGauge });
}

/** The event in every loaded timeline; returns the version a timeline had, if any. */
function replaceInTimelines(qc: QueryClient, event: SecurityEvent): SecurityEvent | undefined {
  let before: SecurityEvent | undefined;
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.eventsAll })) {
    const data = query.state.data as EventPages | undefined;
    before ??= loadedEvents(data).find((e) => e.id === event.id);
    qc.setQueryData<EventPages>(query.queryKey, (d) => replaceEvent(d, event));
  }
  return before;
}

/** Every loaded timeline, the counts, the detail, the activity feed: an event changed. */
export function cacheUpdatedEvent(qc: QueryClient, event: SecurityEvent): void {
  // Its previous version, wherever one is cached: the counts move it from there.
  const before =
    replaceInTimelines(qc, event) ??
    qc.getQueryData<EventWithDetections>(keys.event(event.id)) ??
    qc.getQueryData<SecurityEvent[]>(keys.activity)?.find((e) => e.id === event.id);
  readAgainIfLoading(qc, keys.eventsAll, () => replaceInTimelines(qc, event));
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.eventStatsAll })) {
    if (!before) {
      // Where it was counted is unknown: count again.
      void qc.invalidateQueries({ queryKey: query.queryKey, exact: true });
      continue;
    }
    // Counted where it was, counted where it is now (its level, or whether it matches, changed).
    const filter = query.queryKey[1] as EventFilter;
    const was = eventMatches(before, filter);
    const is = eventMatches(event, filter);
    if (was === is && (!was || before.riskLevel === event.riskLevel)) continue;
    qc.setQueryData<EventStats>(query.queryKey, (stats) => {
      const without = was ? bumpStats(stats, before, -1) : stats;
      return is ? bumpStats(without, event, 1) : without;
    });
  }
  readAgainIfLoading(qc, keys.eventStatsAll);
  qc.setQueryData<EventWithDetections>(
    keys.event(event.id),
    (full) => full && { ...event, detections: full.detections },
  );
  readAgainIfLoading(qc, keys.event(event.id));
  qc.setQueryData<SecurityEvent[]>(keys.activity, (list) =>
    list?.map((e) => (e.id === event.id ? event : e)),
  );
  readAgainIfLoading(qc, keys.activity);
}

const JOB_STAGE = { pending: 0, running: 1, completed: 2, failed: 2, cancelled: 2 } as const;

/** Whether `next` is older news than `known` about the same job (a late answer after a push). */
function isStale(next: Job, known: Job | undefined): boolean {
  if (!known) return false;
  const a = JOB_STAGE[next.status];
  const b = JOB_STAGE[known.status];
  return a < b || (a === b && next.processed < known.processed);
}

/** How many jobs `jobs.list` answers without a kind (its default): the recent jobs list. */
export const RECENT_JOBS_LIMIT = 50;

/**
 * A list of jobs (newest first) with `job` put in; a reply that left before a newer push
 * arrived does not put an older state back. `limit`: the most the list holds.
 */
function applyJob(list: Job[], job: Job, limit = Infinity): Job[] {
  const known = list.find((j) => j.id === job.id);
  if (isStale(job, known)) return list;
  return [job, ...list.filter((j) => j.id !== job.id)]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, limit);
}

/** A job's progress or end, in the list of its kind and in the recent jobs of every kind. */
export function cacheJob(qc: QueryClient, job: Job): void {
  qc.setQueryData<Job[]>(keys.jobs(job.kind), (list) => list && applyJob(list, job));
  qc.setQueryData<Job[]>(
    keys.recentJobs,
    (list) => list && applyJob(list, job, Math.max(RECENT_JOBS_LIMIT, list.length)),
  );
  readAgainIfLoading(qc, keys.jobs(job.kind));
  readAgainIfLoading(qc, keys.recentJobs);
}

/**
 * An older page of jobs (`jobs.list` after the last one shown) added to the recent jobs; a job
 * already shown keeps its (pushed) state.
 */
export function appendJobs(qc: QueryClient, older: readonly Job[]): void {
  qc.setQueryData<Job[]>(keys.recentJobs, (list) => {
    if (!list) return list;
    const known = new Set(list.map((j) => j.id));
    return [...list, ...older.filter((j) => !known.has(j.id))];
  });
}

/** A service's new state (a push, or the answer to a start, stop, …) in the services list. */
/** A managed service taken out of the settings leaves the list (and health). */
export function uncacheService(qc: QueryClient, name: string): void {
  qc.setQueryData<Service[]>(keys.services, (list) => list?.filter((s) => s.name !== name));
  qc.setQueryData<SystemHealth>(keys.health, (health) =>
    health ? { ...health, services: health.services.filter((s) => s.name !== name) } : health,
  );
}

export function cacheService(qc: QueryClient, service: Service): void {
  qc.setQueryData<Service[]>(keys.services, (list) => {
    if (!list) return list;
    // A managed service just configured comes after the others until the list is read again.
    return list.some((s) => s.name === service.name)
      ? list.map((s) => (s.name === service.name ? service : s))
      : [...list, service];
  });
  readAgainIfLoading(qc, keys.services);
}
