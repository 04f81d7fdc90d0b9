/**
 * What each page reads from the server, as query hooks over the one query cache (pushes keep
 * it current: `push-sync.ts`). Components call the API directly only for one-off reads that
 * nothing else shows (a rule's preview, an FTP password, an export's file).
 */
import {
  keepPreviousData,
  useInfiniteQuery,
  useQueries,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { ChannelInput, ChannelOutput, EventFilter, Page } from '../src-shared/contract';
import type { PromptTemplate } from '../src-shared/prompts';
import { EVALUATE_JOB_KIND } from '../src-shared/prompts';
import type {
  Alert,
  CameraSnapshot,
  DeadLetter,
  DeliveryStatus,
  ExportJob,
  Job,
  SecurityEvent,
} from '../src-shared/domain';
import type { AnalyticsRange } from './analytics-data';
import { useApi } from './app-context';
import type { MachineRange, MachineWindow } from './operations-data';
import { MACHINE_RANGE, foldMinutes, isJobActive, machineRequests } from './operations-data';
import { FEED_SIZE, GAUGE_WINDOW_MS } from './push-sync';
import type { AlertView } from './server-state';
import {
  DELIVERIES_LIMIT,
  RECENT_JOBS_LIMIT,
  byName,
  keys,
  mergeExportList,
  sortCameras,
} from './server-state';

/** Events per `events.list` call. */
export const PAGE_SIZE = 100;
/** The most events kept loaded at once; past it the list offers to continue with older ones. */
export const MAX_LOADED = 5000;
/** Alerts per `alerts.list` call. */
export const ALERTS_PAGE_SIZE = 50;
/** The most the sidebar badge counts (one `alerts.list` page). */
export const ACTIVE_ALERTS_LIMIT = 500;
/** How many export jobs the list shows. */
export const EXPORTS_LIMIT = 100;
const QUARANTINE_LIMIT = 100;

export function useCameras() {
  const api = useApi();
  return useQuery({
    queryKey: keys.cameras,
    queryFn: async () => sortCameras(await api.invoke('cameras.list', {})),
  });
}

export function useZones(cameraId: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.zones(cameraId),
    queryFn: () => api.invoke('zones.list', { cameraId }),
  });
}

/** The zones of several cameras (the rules editor's zone picker), loaded per camera. */
export function useZonesOf(cameraIds: readonly string[]) {
  const api = useApi();
  return useQueries({
    queries: cameraIds.map((cameraId) => ({
      queryKey: keys.zones(cameraId),
      queryFn: () => api.invoke('zones.list', { cameraId }),
    })),
  });
}

/** The latest processed image per camera id. */
export function useSnapshots() {
  const api = useApi();
  return useQuery({
    queryKey: keys.snapshots,
    queryFn: () => api.invoke('cameras.snapshots', {}),
    select: (list: CameraSnapshot[]) => {
      const byCamera: Partial<Record<string, CameraSnapshot>> = {};
      for (const snapshot of list) byCamera[snapshot.cameraId] = snapshot;
      return byCamera;
    },
  });
}

export function useIngestStatus() {
  const api = useApi();
  return useQuery({
    queryKey: keys.ingestStatus,
    queryFn: () => api.invoke('ingest.status', {}),
  });
}

/** How often the inference servers' counts are read (pushes carry only changes of state). */
const DETECTOR_ENDPOINTS_REFRESH_MS = 5000;

/**
 * The detector's state (pushes keep it current). `withEndpoints`: also read again every few
 * seconds while inference servers are in use, for their requests, errors and latency.
 */
export function useDetectorStatus(withEndpoints = false) {
  const api = useApi();
  return useQuery({
    queryKey: keys.detectorStatus,
    queryFn: () => api.invoke('detector.status', {}),
    refetchInterval: (query) => {
      const backend = query.state.data?.backend;
      return withEndpoints && backend !== undefined && backend !== 'local'
        ? DETECTOR_ENDPOINTS_REFRESH_MS
        : false;
    },
  });
}

/** Detector models: installed, downloadable, the one in use. */
export function useDetectorModels() {
  const api = useApi();
  return useQuery({
    queryKey: keys.detectorModels,
    queryFn: () => api.invoke('detector.models', {}),
  });
}

/** Background jobs of one kind, newest first (pushes keep them current). */
export function useJobs(kind: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.jobs(kind),
    queryFn: () => api.invoke('jobs.list', { kind }),
  });
}

/** The quarantined files, read while the list is open and again when their count changes. */
export function useQuarantine(open: boolean, count: number) {
  const api = useApi();
  return useQuery({
    queryKey: [...keys.quarantine, count],
    queryFn: () => api.invoke('ingest.quarantine.list', { limit: QUARANTINE_LIMIT }),
    enabled: open,
    placeholderData: keepPreviousData,
  });
}

export function useHealth() {
  const api = useApi();
  return useQuery({ queryKey: keys.health, queryFn: () => api.invoke('system.health', {}) });
}

export function useSettings() {
  const api = useApi();
  return useQuery({
    queryKey: keys.settings,
    queryFn: () => api.invoke('system.settings.get', {}),
  });
}

export function useCalibration() {
  const api = useApi();
  return useQuery({
    queryKey: keys.calibration,
    queryFn: () => api.invoke('calibration.get', {}),
  });
}

/** Re-evaluation jobs, newest first (pushes keep them current). */
export function useRecalibrationJobs() {
  const api = useApi();
  return useQuery({
    queryKey: keys.jobs('recalibrate'),
    queryFn: () => api.invoke('jobs.list', { kind: 'recalibrate' }),
  });
}

/** What a candidate calibration would change (null: none to ask about yet). */
export function useCalibrationPreview(input: ChannelInput<'calibration.preview'> | null) {
  const api = useApi();
  return useQuery({
    queryKey: keys.calibrationPreview(input),
    queryFn: () => api.invoke('calibration.preview', input!),
    enabled: input !== null,
    placeholderData: keepPreviousData,
  });
}

export function useCalibrationSuggestions() {
  const api = useApi();
  return useQuery({
    queryKey: keys.calibrationSuggest,
    queryFn: () => api.invoke('calibration.suggest', {}),
  });
}

export function usePreferences() {
  const api = useApi();
  return useQuery({
    queryKey: keys.preferences,
    queryFn: () => api.invoke('notify.preferences.get', {}),
  });
}

export function useRules() {
  const api = useApi();
  return useQuery({
    queryKey: keys.rules,
    queryFn: async () => [...(await api.invoke('alertRules.list', {}))].sort(byName),
  });
}

/** Notification channels (secrets come back as "[REDACTED]"). */
export function useChannels() {
  const api = useApi();
  return useQuery({
    queryKey: keys.channels,
    queryFn: async () => [...(await api.invoke('notify.channels.list', {}))].sort(byName),
  });
}

export function useDeliveries(status: DeliveryStatus | null) {
  const api = useApi();
  return useQuery({
    queryKey: keys.deliveries(status),
    queryFn: () =>
      api.invoke('notify.deliveries.list', {
        ...(status ? { status } : {}),
        limit: DELIVERIES_LIMIT,
      }),
  });
}

/** Export jobs, newest first; a list read while jobs move keeps what pushes already said. */
export function useExports() {
  const api = useApi();
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.exports,
    queryFn: async () =>
      mergeExportList(
        await api.invoke('exports.list', { limit: EXPORTS_LIMIT }),
        qc.getQueryData<ExportJob[]>(keys.exports),
      ),
  });
}

/** The Alerts page's list: pages of the active (or all) alerts, newest first. */
export function useAlertList(view: AlertView) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.alerts(view),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.invoke('alerts.list', {
        ...(view === 'active' ? { status: 'active' as const } : {}),
        ...(pageParam ? { cursor: pageParam } : {}),
        limit: ALERTS_PAGE_SIZE,
      }),
    getNextPageParam: (last: Page<Alert>) => last.nextCursor,
    gcTime: 0,
  });
}

/** The active alerts, for the sidebar badge. */
export function useActiveAlerts(enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: keys.activeAlerts,
    queryFn: () => api.invoke('alerts.list', { status: 'active', limit: ACTIVE_ALERTS_LIMIT }),
    enabled,
  });
}

/** The timeline: pages of events for a filter, from `start` on, up to MAX_LOADED. */
export function useTimeline(filter: EventFilter, start: string | null) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.events(filter, start),
    initialPageParam: start,
    queryFn: ({ pageParam }) =>
      api.invoke('events.list', {
        ...filter,
        ...(pageParam ? { cursor: pageParam } : {}),
        limit: PAGE_SIZE,
      }),
    getNextPageParam: (last: Page<SecurityEvent>, pages) =>
      pages.reduce((n, p) => n + p.items.length, 0) >= MAX_LOADED ? undefined : last.nextCursor,
    // Leaving the page lets the loaded events go: coming back starts at the newest.
    gcTime: 0,
  });
}

export function useEventStats(filter: EventFilter) {
  const api = useApi();
  return useQuery({
    queryKey: keys.eventStats(filter),
    queryFn: () => api.invoke('events.stats', filter),
  });
}

/** One event with its detections. */
export function useEvent(id: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.event(id), queryFn: () => api.invoke('events.get', { id }) });
}

/** The latest events (the dashboard's activity feed). */
export function useActivity() {
  const api = useApi();
  return useQuery({
    queryKey: keys.activity,
    queryFn: async () => (await api.invoke('events.list', { limit: FEED_SIZE })).items,
  });
}

/** How often the gauge lets events age out of its window. */
const GAUGE_REFRESH_MS = 60 * 1000;

/**
 * The highest-scored event that started in the last hour. Each call asks only for events above
 * the best so far, so it ends after a few calls however many events there are.
 */
export function useRiskGauge() {
  const api = useApi();
  return useQuery({
    queryKey: keys.riskGauge,
    refetchInterval: GAUGE_REFRESH_MS,
    queryFn: async (): Promise<SecurityEvent | null> => {
      const from = new Date(Date.now() - GAUGE_WINDOW_MS).toISOString();
      let best: SecurityEvent | null = null;
      for (;;) {
        const minRisk: number = best ? best.riskScore + 1 : 0;
        if (minRisk > 100) return best;
        const page: Page<SecurityEvent> = await api.invoke('events.list', {
          from,
          minRisk,
          limit: 100,
        });
        if (page.items.length === 0) return best;
        for (const e of page.items) if (!best || e.riskScore > best.riskScore) best = e;
      }
    },
  });
}

/** How many recent events the prompt playground offers. */
export const PLAYGROUND_EVENTS = 20;

/** Prompt templates: the live one first, then by name. */
export function usePromptTemplates() {
  const api = useApi();
  return useQuery({
    queryKey: keys.promptTemplates,
    queryFn: async () =>
      [...(await api.invoke('prompts.templates.list', {}))].sort(
        (a: PromptTemplate, b: PromptTemplate) => Number(b.live) - Number(a.live) || byName(a, b),
      ),
  });
}

/** One template with its versions (newest first) and its experiment (null: none asked). */
export function usePromptTemplate(id: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: keys.promptTemplate(id ?? ''),
    queryFn: () => api.invoke('prompts.templates.get', { id: id! }),
    enabled: id !== null,
  });
}

export function usePromptAnalytics(templateId: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.promptAnalytics(templateId),
    queryFn: () => api.invoke('prompts.analytics', { templateId }),
  });
}

/** Prompt evaluations, newest first (pushes keep them current). */
export function usePromptEvaluations() {
  const api = useApi();
  return useQuery({
    queryKey: keys.jobs(EVALUATE_JOB_KIND),
    queryFn: () => api.invoke('jobs.list', { kind: EVALUATE_JOB_KIND }),
  });
}

/** What a finished evaluation found (read once it has ended). */
export function usePromptEvaluation(jobId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: keys.promptEvaluation(jobId ?? ''),
    queryFn: () => api.invoke('prompts.evaluation', { jobId: jobId! }),
    enabled: jobId !== null,
  });
}

/** The latest events, to run a prompt on. */
export function useRecentEvents() {
  const api = useApi();
  return useQuery({
    queryKey: keys.recentEvents,
    queryFn: async () => (await api.invoke('events.list', { limit: PLAYGROUND_EVENTS })).items,
  });
}

/** The channels of the Analytics page's charts, all taking a range and cameras. */
export type AnalyticsChannel =
  | 'analytics.detectionTrends'
  | 'analytics.riskHistory'
  | 'analytics.cameraUptime'
  | 'analytics.objectDistribution'
  | 'analytics.heatmap'
  | 'analytics.alertsByRule'
  | 'analytics.falsePositiveRate';

/**
 * One chart's numbers for a range. No push carries them: they are read when the page opens,
 * on Refresh, and after a reconnect. While another range loads, the last one stays shown.
 */
export function useAnalytics<C extends AnalyticsChannel>(channel: C, range: AnalyticsRange) {
  const api = useApi();
  return useQuery({
    queryKey: keys.analytics(channel, range),
    queryFn: (): Promise<ChannelOutput<C>> => api.invoke(channel, range as ChannelInput<C>),
    placeholderData: keepPreviousData,
  });
}

/** Bytes on disk by category (the whole data folder, whatever the range). */
export function useStorage() {
  const api = useApi();
  return useQuery({ queryKey: keys.storage, queryFn: () => api.invoke('system.storage', {}) });
}

/**
 * Machine samples over a range ending now, read again every 15 s while shown (every minute for
 * ranges of days, drawn by the minute). Ranges over a day come by the minute.
 */
export function useMachineSamples(range: MachineRange) {
  const api = useApi();
  return useQuery({
    queryKey: keys.machine(range),
    queryFn: async (): Promise<MachineWindow> => {
      const now = Date.now();
      const calls = machineRequests(range, now);
      const answers = await Promise.all(calls.map((input) => api.invoke('gpu.stats', input)));
      const samples = answers.flat();
      return {
        from: now - MACHINE_RANGE[range].ms,
        to: now,
        samples: calls.length > 1 ? foldMinutes(samples) : samples,
      };
    },
    refetchInterval: MACHINE_RANGE[range].refreshMs,
    placeholderData: keepPreviousData,
  });
}

/** How often pipeline latency is read again while shown. */
const PIPELINE_REFRESH_MS = 60 * 1000;

/** p50 / p95 / p99 of each pipeline stage over the last `windowSeconds`. */
export function usePipelineLatency(windowSeconds: number) {
  const api = useApi();
  return useQuery({
    queryKey: keys.pipeline(windowSeconds),
    queryFn: () => api.invoke('system.telemetry', { window: windowSeconds }),
    refetchInterval: PIPELINE_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

/** The newest background jobs of every kind (pushes keep them current). */
export function useRecentJobs() {
  const api = useApi();
  return useQuery({
    queryKey: keys.recentJobs,
    queryFn: () => api.invoke('jobs.list', { limit: RECENT_JOBS_LIMIT }),
  });
}

/** How often an open job history is read again while its job runs. */
const JOB_HISTORY_REFRESH_MS = 2000;

/** One job's history, oldest first: read again when its status changes, and while it runs. */
export function useJobHistory(job: Job) {
  const api = useApi();
  return useQuery({
    queryKey: [...keys.jobHistory(job.id), job.status],
    queryFn: () => api.invoke('jobs.history', { id: job.id }),
    refetchInterval: isJobActive(job.status) ? JOB_HISTORY_REFRESH_MS : false,
    placeholderData: keepPreviousData,
  });
}

/** Dead letters per `jobs.deadLetters.list` call. */
export const DEAD_LETTERS_PAGE_SIZE = 50;

/** Items jobs could not process, newest first, a page at a time (refreshed on job pushes). */
export function useDeadLetters() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.deadLetters,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.invoke('jobs.deadLetters.list', {
        ...(pageParam ? { cursor: pageParam } : {}),
        limit: DEAD_LETTERS_PAGE_SIZE,
      }),
    getNextPageParam: (last: Page<DeadLetter>) => last.nextCursor,
  });
}

/** The app's services, dependencies first (`service.status` pushes keep them current). */
export function useServices() {
  const api = useApi();
  return useQuery({ queryKey: keys.services, queryFn: () => api.invoke('services.list', {}) });
}

/** How many log lines a service's log shows. */
export const SERVICE_LOG_LINES = 50;

/** A service's latest log lines, newest first (read again as the service changes). */
export function useServiceLogs(name: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.serviceLogs(name),
    queryFn: () => api.invoke('services.logs', { name, limit: SERVICE_LOG_LINES }),
  });
}

/** How often the last MQTT messages are read again while they are shown. */
export const MQTT_MESSAGES_REFRESH_MS = 2000;

/** The MQTT connection's state and counters (`mqtt.status` pushes keep it current). */
export function useMqttStatus() {
  const api = useApi();
  return useQuery({ queryKey: keys.mqttStatus, queryFn: () => api.invoke('mqtt.status', {}) });
}

/** The last MQTT messages in and out, newest first, read again every 2 s while shown. */
export function useMqttMessages() {
  const api = useApi();
  return useQuery({
    queryKey: keys.mqttMessages,
    queryFn: () => api.invoke('mqtt.messages', {}),
    refetchInterval: MQTT_MESSAGES_REFRESH_MS,
  });
}
