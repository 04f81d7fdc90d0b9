/**
 * Deterministic synthetic events for the events benchmark: row `i` of `n` is always the same
 * (a PRNG seeded by `i`), so SQLite and PostgreSQL are loaded with identical rows without
 * holding a million of them in memory.
 */
import { cameraIdFromName } from '../../src-shared/domain';

export const BENCH_CAMERAS = [
  { name: 'Front Door', weight: 20 },
  { name: 'Driveway', weight: 18 },
  { name: 'Backyard', weight: 14 },
  { name: 'Porch', weight: 12 },
  { name: 'Garage', weight: 10 },
  { name: 'Side Gate', weight: 10 },
  { name: 'Street', weight: 10 },
  { name: 'Patio', weight: 6 },
] as const;

export interface BenchDetection {
  id: string;
  camera_id: string;
  image_path: string;
  image_sha256: string;
  image_width: number;
  image_height: number;
  detected_at: string;
  object_class: string;
  confidence: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  model: string;
  created_at: string;
}

export interface BenchEvent {
  id: string;
  batch_id: string;
  camera_id: string;
  camera_name: string;
  started_at: string;
  ended_at: string;
  risk_score: number;
  raw_risk_score: number;
  risk_level: 'low' | 'medium' | 'high' | 'critical';
  summary: string;
  reasoning: string;
  scorer: 'llm' | 'rules';
  model: string | null;
  latency_ms: number;
  object_classes: string;
  detection_count: number;
  is_fast_path: number;
  reviewed: number;
  false_positive: number;
  notes: string;
  created_at: string;
  updated_at: string;
  detections: BenchDetection[];
}

/** The newest event is just before this instant; the oldest `SPAN_DAYS` earlier. */
export const END_MS = Date.parse('2026-03-01T00:00:00.000Z');
export const SPAN_DAYS = 90;
const SPAN_MS = SPAN_DAYS * 86_400_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

function weighted<T>(items: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const total = items.reduce((a, [, w]) => a + w, 0);
  return (rng) => {
    let r = rng() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1]![0];
  };
}

// Date#toISOString costs about a microsecond here, and a row needs ten: the day part is
// cached (90 distinct days), the time of day is plain arithmetic.
const DAY_MS = 86_400_000;
const dayPrefix = new Map<number, string>();
const TWO = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0'));
export function isoOf(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefix.set(day, prefix);
  }
  let rem = ms - day * DAY_MS;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const m = Math.floor(rem / 60_000);
  rem -= m * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  return `${prefix}${TWO[h]}:${TWO[m]}:${TWO[sec]}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

// Number#toString(16) on doubles is slow in V8: a byte table keeps generation cheap.
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Same shape as src-main/db/ids.ts newId: 10 chars of time, 4 of sequence, 8 random. */
function benchId(ms: number, seq: number, rng: Rng): string {
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i += 1) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let tail = '';
  for (let i = 0; i < 8; i += 1) tail += ALPHABET[Math.floor(rng() * 32)]!;
  return `${time}${(seq % 1_048_576).toString(32).padStart(4, '0')}${tail}`;
}

const pickCamera = weighted(BENCH_CAMERAS.map((c) => [c, c.weight] as const));
const pickLevel = weighted([
  ['low', 60],
  ['medium', 25],
  ['high', 12],
  ['critical', 3],
] as const);
const BANDS = { low: [0, 29], medium: [30, 59], high: [60, 84], critical: [85, 100] } as const;
const pickClass = weighted([
  ['person', 34],
  ['car', 24],
  ['dog', 10],
  ['bird', 9],
  ['cat', 8],
  ['truck', 9],
  ['bicycle', 6],
] as const);
const pickClassCount = weighted([
  [1, 55],
  [2, 30],
  [3, 15],
] as const);

const SPOTS = [
  'front door',
  'driveway',
  'garage door',
  'side gate',
  'back fence',
  'porch steps',
  'mailbox',
  'patio table',
  'lawn',
  'sidewalk',
  'trash bins',
  'living room window',
  'garden shed',
  'hedge',
  'car port',
  'back door',
] as const;
const ZONES = [
  'Walkway',
  'Package Shelf',
  'Delivery Area',
  'Driveway Apron',
  'Back Fence',
  'Mailbox',
  'Entry',
] as const;
const ADJECTIVES = [
  'unknown',
  'unfamiliar',
  'hooded',
  'tall',
  'young',
  'elderly',
  'familiar',
  'masked',
  'uniformed',
] as const;
const PERSON_ACTS = [
  'approaching',
  'lingering near',
  'walking past',
  'standing at',
  'checking',
  'knocking on',
  'looking through',
  'leaving',
  'pacing near',
  'crouching by',
  'loitering around',
  'photographing',
] as const;
const WHEN = {
  night: ['at night', 'after dark', 'late at night', 'in the middle of the night'],
  'dusk or dawn': ['at dusk', 'in the early morning', 'at dawn', 'in the evening'],
  daytime: ['during the day', 'in the afternoon', 'mid-morning', 'around noon'],
} as const;
/** A long tail of descriptive vocabulary, drawn Zipf-like, so FTS sees realistic term spread. */
const TAIL = (
  'motion shadow headlights flashlight backpack hoodie jacket umbrella phone glove hat cap ' +
  'leash stroller scooter skateboard ladder crowbar toolbag box envelope flyer parcel bag ' +
  'rain fog snow wind glare reflection silhouette footsteps doorbell porchlight streetlight ' +
  'neighbor courier postman gardener cleaner jogger walker visitor stranger resident child ' +
  'teenager couple group crowd vehicle sedan van pickup suv motorbike trailer taxi rideshare ' +
  'squirrel raccoon fox deer owl crow pigeon gull rabbit hedgehog opossum coyote bat moth ' +
  'spider branch leaves debris sprinkler hose bin lid gate latch lock handle knob keypad ' +
  'camera lens tampering obstruction blur noise compression artifact overexposed dim ' +
  'infrared monochrome colour zoom pan tilt focus angle frame edge corner centre foreground ' +
  'background distant closeup partial occluded obscured visible clear brief extended ' +
  'repeated returning circling hesitating running crouching climbing carrying dragging ' +
  'pushing pulling waving pointing talking smoking eating drinking sitting kneeling'
).split(' ');
function tailWord(rng: Rng): string {
  // Zipf-ish: low indexes far more often than high ones.
  const u = rng();
  return TAIL[Math.min(TAIL.length - 1, Math.floor(TAIL.length * u * u * u))]!;
}

function timeOfDay(ms: number): 'night' | 'dusk or dawn' | 'daytime' {
  const hour = Math.floor((ms % DAY_MS) / 3_600_000);
  if (hour >= 22 || hour < 6) return 'night';
  if (hour >= 18 || hour < 7) return 'dusk or dawn';
  return 'daytime';
}

const plural = (n: number, word: string) =>
  n === 1 ? `1 ${word}` : `${n} ${word === 'person' ? 'people' : `${word}s`}`;

function llmText(
  rng: Rng,
  primary: string,
  camera: string,
  tod: 'night' | 'dusk or dawn' | 'daytime',
  level: string,
): { summary: string; reasoning: string } {
  const spot = pick(rng, SPOTS);
  const when = pick(rng, WHEN[tod]);
  let summary: string;
  const roll = rng();
  if (primary === 'person') {
    if (roll < 0.22) summary = `Delivery driver left a package at the ${spot} ${when}`;
    else if (roll < 0.3) summary = `Person picked up a package from the ${spot} ${when}`;
    else summary = `${pick(rng, ADJECTIVES)} person ${pick(rng, PERSON_ACTS)} the ${spot} ${when}`;
  } else if (primary === 'car' || primary === 'truck') {
    if (roll < 0.2) summary = `Delivery truck stopped near the ${spot} ${when}`;
    else if (roll < 0.45) summary = `Vehicle parked by the ${spot} ${when}`;
    else if (roll < 0.6) summary = `Unfamiliar vehicle slowly circling past the ${spot} ${when}`;
    else summary = `${primary === 'car' ? 'Car' : 'Truck'} idling with headlights on ${when}`;
  } else if (primary === 'bicycle') {
    summary =
      roll < 0.5
        ? `Cyclist riding past the ${spot} ${when}`
        : `Bicycle left leaning against the ${spot} ${when}`;
  } else {
    summary = `${primary[0]!.toUpperCase()}${primary.slice(1)} wandering across the ${spot} ${when}`;
  }
  summary = `${summary[0]!.toUpperCase()}${summary.slice(1)} (${camera})`;
  const reasons = [
    level === 'low' || level === 'medium'
      ? pick(rng, [
          'Behaviour consistent with a routine delivery.',
          'Matches the usual activity pattern for this camera.',
          'No weapons or tools visible.',
          'Animal activity, no human presence.',
          'Brief appearance, moved on quickly.',
        ])
      : pick(rng, [
          `Lingering for over ${2 + Math.floor(rng() * 12)} minutes raises concern.`,
          'Subject tried the door handle.',
          'Face hidden and movement hesitant, possible casing.',
          'Returned to the same spot several times.',
          'Unrecognised person at an entry point outside normal hours.',
        ]),
    tod === 'night' ? 'Low light at night reduces identification confidence.' : '',
    rng() < 0.004 ? 'Subject appeared to be carrying a ladder.' : '',
    `Observed: ${tailWord(rng)}, ${tailWord(rng)}, ${tailWord(rng)}.`,
  ].filter(Boolean);
  return { summary, reasoning: reasons.join(' ') };
}

/** Event `i` of `n` (oldest first), with 1–3 detections. */
export function benchEvent(i: number, n: number): BenchEvent {
  const rng = mulberry32(i * 2654435761 + 0x9e3779b9);
  const spacing = SPAN_MS / n;
  const startMs = Math.floor(END_MS - SPAN_MS + i * spacing + rng() * spacing * 0.9);
  const durationMs = 2_000 + Math.floor(rng() * 90_000);
  const endMs = startMs + durationMs;
  const camera = pickCamera(rng);
  const cameraId = cameraIdFromName(camera.name);
  const level = pickLevel(rng);
  const [lo, hi] = BANDS[level];
  const score = lo + Math.floor(rng() * (hi - lo + 1));

  const classes = new Set<string>();
  if ((level === 'high' || level === 'critical') && rng() < 0.85) classes.add('person');
  const wanted = pickClassCount(rng);
  while (classes.size < wanted) classes.add(pickClass(rng));
  const classList = [...classes];
  const primary = classList[0]!;
  const detectionCount = Math.max(classList.length, 1 + Math.floor(rng() * 3));

  const tod = timeOfDay(startMs);
  const scorer = rng() < 0.7 ? 'rules' : 'llm';
  let summary: string;
  let reasoning: string;
  if (scorer === 'rules') {
    const counts = new Map<string, number>();
    for (let d = 0; d < detectionCount; d += 1) {
      const c = classList[d % classList.length]!;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const what = [...counts.entries()].map(([c, k]) => plural(k, c)).join(', ');
    const zone = rng() < 0.4 ? pick(rng, ZONES) : '';
    summary = `${what} at ${camera.name}${zone ? ` in ${zone}` : ''} (${tod})`;
    const factor = tod === 'night' ? 1.4 : tod === 'daytime' ? 1 : 1.15;
    reasoning = [
      `Highest concern: ${primary} at ${70 + Math.floor(rng() * 30)}% confidence.`,
      zone ? `Inside zone "${zone}".` : 'Not inside a weighted zone.',
      `Time of day: ${tod} (×${factor}).`,
      classList.length > 1 ? `${classList.length} moving objects.` : '',
    ]
      .filter(Boolean)
      .join(' ');
  } else {
    ({ summary, reasoning } = llmText(rng, primary, camera.name, tod, level));
  }

  const ageDays = (END_MS - startMs) / 86_400_000;
  const reviewed = rng() < (ageDays > 7 ? 0.32 : 0.08) ? 1 : 0;
  const detections: BenchDetection[] = [];
  const day = isoOf(startMs).slice(0, 10);
  for (let d = 0; d < detectionCount; d += 1) {
    const at = startMs + Math.floor((durationMs * d) / detectionCount);
    const x1 = Math.floor(rng() * 1500);
    const y1 = Math.floor(rng() * 800);
    let sha = '';
    for (let k = 0; k < 32; k += 1) sha += HEX[Math.floor(rng() * 256)]!;
    const id = benchId(at, i * 4 + d, rng);
    detections.push({
      id,
      camera_id: cameraId,
      image_path: `/data/hsi/ingest/${cameraId}/${day}/MDAlarm_${at}.jpg`,
      image_sha256: sha,
      image_width: 1920,
      image_height: 1080,
      detected_at: isoOf(at),
      object_class: classList[d % classList.length]!,
      confidence: Math.round((0.5 + rng() * 0.49) * 1000) / 1000,
      x1,
      y1,
      x2: x1 + 40 + Math.floor(rng() * 380),
      y2: y1 + 60 + Math.floor(rng() * 280),
      model: 'yolox_nano',
      created_at: isoOf(at + 150),
    });
  }
  const created = isoOf(endMs + 500 + Math.floor(rng() * 4000));
  return {
    id: benchId(startMs, i, rng),
    batch_id: benchId(startMs, i + 1, rng),
    camera_id: cameraId,
    camera_name: camera.name,
    started_at: isoOf(startMs),
    ended_at: isoOf(endMs),
    risk_score: score,
    raw_risk_score: Math.max(0, Math.min(100, score + Math.floor(rng() * 11) - 5)),
    risk_level: level,
    summary,
    reasoning,
    scorer,
    model: scorer === 'llm' ? 'nemotron-mini-4b' : null,
    latency_ms:
      scorer === 'llm' ? Math.round(1500 + rng() * 3500) : Math.round(rng() * 1000) / 1000 + 0.05,
    object_classes: classList.join(' '),
    detection_count: detectionCount,
    is_fast_path: primary === 'person' && rng() < 0.5 ? 1 : 0,
    reviewed,
    false_positive: reviewed && rng() < 0.1 ? 1 : 0,
    notes: reviewed && rng() < 0.05 ? 'Checked by owner.' : '',
    created_at: created,
    updated_at: created,
    detections,
  };
}
