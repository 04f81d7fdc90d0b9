import type { Zone } from '../../src-shared/domain';
import { footPoint, pointInPolygon } from '../../src-shared/geometry';

/**
 * Whether a detection of `objectClass` at `bbox` stands (by its bottom-centre) in one of the
 * enabled ignore zones that cover its class.
 */
export function inIgnoreZone(
  zones: readonly Zone[],
  d: { objectClass: string; bbox: readonly [number, number, number, number] },
): boolean {
  const foot = footPoint(d.bbox);
  return zones.some(
    (z) =>
      z.enabled &&
      z.kind === 'ignore' &&
      (!z.objectClasses || z.objectClasses.includes(d.objectClass)) &&
      pointInPolygon(foot, z.points),
  );
}
