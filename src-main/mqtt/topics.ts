import type { Camera } from '../../src-shared/domain';

/** Object classes grouped as Home Assistant's occupancy sensors show them. */
export const CLASS_GROUPS: Record<'person' | 'vehicle' | 'animal', readonly string[]> = {
  person: ['person'],
  vehicle: ['bicycle', 'car', 'motorcycle', 'bus', 'truck', 'train', 'boat', 'airplane'],
  animal: ['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe'],
};
export type ClassGroup = keyof typeof CLASS_GROUPS;

/** The group a class belongs to, if any. */
export function groupOf(objectClass: string): ClassGroup | undefined {
  return (Object.keys(CLASS_GROUPS) as ClassGroup[]).find((g) =>
    CLASS_GROUPS[g].includes(objectClass),
  );
}

/** Topic levels under the base the app uses itself: no camera may be named like them. */
const RESERVED = new Set(['events', 'alerts', 'stats', 'available', 'intake', 'reviews']);

/** `Front Door` → `front_door`: lower-case letters, digits and `_`. */
export function slug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Each camera's topic level (`hsi/<camera>/…`): its name as a slug, unique (the older camera
 * keeps the plain slug; a later one with the same slug gets its id's end appended), never a
 * level the app uses for itself.
 */
export function cameraTopicNames(
  cameras: Pick<Camera, 'id' | 'name' | 'createdAt'>[],
): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  const ordered = [...cameras].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  for (const c of ordered) {
    let name = slug(c.name) || 'camera';
    if (used.has(name) || RESERVED.has(name)) name = `${name}_${slug(c.id).slice(-6)}`;
    used.add(name);
    names.set(c.id, name);
  }
  return names;
}

/** Every topic the app publishes or listens to, from the base topic and discovery prefix. */
export function topics(base: string, prefix: string) {
  return {
    available: `${base}/available`,
    events: `${base}/events`,
    alerts: `${base}/alerts`,
    stats: `${base}/stats`,
    intakeSet: `${base}/intake/set`,
    intakeState: `${base}/intake/state`,
    acknowledge: `${base}/alerts/acknowledge`,
    /** `<base>/<camera>/detect/set`, subscribed with a wildcard. */
    detectSetFilter: `${base}/+/detect/set`,
    haStatus: `${prefix}/status`,
    camera: (camera: string) => ({
      count: (classOrGroup: string) => `${base}/${camera}/${classOrGroup}`,
      risk: `${base}/${camera}/risk`,
      riskLevel: `${base}/${camera}/risk_level`,
      snapshot: `${base}/${camera}/snapshot`,
      alert: `${base}/${camera}/alert`,
      detectSet: `${base}/${camera}/detect/set`,
      detectState: `${base}/${camera}/detect/state`,
    }),
  };
}

export type Topics = ReturnType<typeof topics>;

/** `hsi/front_door/detect/set` → `front_door` (undefined for any other topic). */
export function cameraOfDetectSet(base: string, topic: string): string | undefined {
  const prefix = `${base}/`;
  if (!topic.startsWith(prefix) || !topic.endsWith('/detect/set')) return undefined;
  const level = topic.slice(prefix.length, -'/detect/set'.length);
  return level && !level.includes('/') ? level : undefined;
}
