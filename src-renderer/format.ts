import type { DetectorEndpoint, DetectorStatus } from '../src-shared/domain';

/** "1 zone", "2 zones". */
export function plural(count: number, singular: string, pluralForm = singular + 's'): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "5 min ago" style, for timestamps from the server (ISO-8601). */
export function timeAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'unknown';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour') + ' ago';
  return plural(Math.round(hours / 24), 'day') + ' ago';
}

/** "Last seen 2 min ago", or "Never seen" for a camera that never sent an image. */
export function lastSeenText(iso: string | null, now = Date.now()): string {
  return iso ? `Last seen ${timeAgo(iso, now)}` : 'Never seen';
}

/** 0.934 → "93%". */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** The highest-confidence detections, "person 93% · car 81%", or "Nothing detected". */
export function describeDetections(
  detections: readonly { objectClass: string; confidence: number }[],
  max = 4,
): string {
  if (detections.length === 0) return 'Nothing detected';
  const sorted = [...detections].sort((a, b) => b.confidence - a.confidence);
  const shown = sorted.slice(0, max).map((d) => `${d.objectClass} ${percent(d.confidence)}`);
  const more = sorted.length - shown.length;
  return shown.join(' · ') + (more > 0 ? ` · +${more} more` : '');
}

/** The last part of a path, for either separator. */
export function baseName(filePath: string): string {
  return filePath.split(/[\\/]/).filter(Boolean).pop() ?? filePath;
}

/** A local date and time for tooltips and lists. */
export function dateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

const PROVIDER_NAMES: Record<string, string> = {
  cpu: 'CPU',
  cuda: 'CUDA (NVIDIA GPU)',
  dml: 'DirectML (GPU)',
  coreml: 'Core ML (Apple)',
  webgpu: 'WebGPU',
};

/** An ONNX Runtime execution provider as a person knows it: "cuda" → "CUDA (NVIDIA GPU)". */
export function providerText(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider.toUpperCase();
}

/** Detection runs on inference servers (`DetectorStatus.backend` names their kind). */
function onServers(d: DetectorStatus): boolean {
  return d.backend !== 'local' && d.backend !== 'local (fallback)';
}

/** Where detection runs now, in words (`DetectorStatus.backend`). */
export function detectorBackendText(d: DetectorStatus): string {
  if (d.backend === 'local') return 'Detecting on this computer';
  if (d.backend === 'local (fallback)') return 'Inference servers down: detecting on this computer';
  return 'Detecting on inference servers';
}

/**
 * "Detecting on this computer · Model yolox_nano (yolox) on CPU · input 416×416",
 * "Loading model…", "Connecting to inference servers…", "Detector unavailable: <reason>" or
 * "Inference servers unavailable: <reason>".
 */
export function detectorText(d: DetectorStatus): string {
  const remote = onServers(d);
  if (d.status === 'loading') return remote ? 'Connecting to inference servers…' : 'Loading model…';
  if (d.status === 'unavailable') {
    const why = d.reason ?? 'unknown reason';
    return remote ? `Inference servers unavailable: ${why}` : `Detector unavailable: ${why}`;
  }
  const family = d.family ? ` (${d.family})` : '';
  // On inference servers the provider lists their addresses: the table of servers shows them.
  const provider = d.provider && !remote ? ` on ${providerText(d.provider)}` : '';
  const input = d.inputSize ? ` · input ${d.inputSize[0]}×${d.inputSize[1]}` : '';
  return `${detectorBackendText(d)} · Model ${d.model}${family}${provider}${input}`;
}

const ENDPOINT_STATES: Record<DetectorEndpoint['state'], string> = {
  closed: 'Up',
  open: 'Down',
  'half-open': 'Trying again',
};

/** An inference server's breaker state as a person reads it: up, down, trying again. */
export function endpointStateText(state: DetectorEndpoint['state']): string {
  return ENDPOINT_STATES[state];
}

/** A local time of day with seconds, for detection lists. */
export function timeOfDay(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleTimeString();
}

/** 340 → "340 ms", 1234 → "1.2 s", null → "—". */
export function latencyText(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A `datetime-local` input value (local time) → ISO-8601 UTC; empty or invalid → undefined. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Local midnight of the day `now` falls in, as ISO-8601 UTC. */
export function localMidnightIso(now = Date.now()): string {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/** 512 → "512 B", 2048 → "2.0 KB", 5_400_000 → "5.1 MB", null → "—" (1 KB = 1024 B). */
export function fileSizeText(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A change of score: 37 → "+37", -4.25 → "−4.3", 0 → "0", null → "—". */
export function signed(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const r = Math.round(n * 10) / 10;
  const text = Number.isInteger(r) ? String(Math.abs(r)) : Math.abs(r).toFixed(1);
  return r > 0 ? `+${text}` : r < 0 ? `−${text}` : '0';
}

/** A share in 0..1, or "—" when there is none. */
export function percentOrDash(value: number | null): string {
  return value === null ? '—' : percent(value);
}

/** How long something has been up: "under a minute", "5 min", "3 h 4 min", "2 d 3 h". */
export function durationText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
