import type { RouteId } from '../routes';

/** One sentence per area that is not built yet: what it will do. */
export const NOT_BUILT: Partial<Record<RouteId, string>> = {
  operations:
    'Operations — service control, pipeline and GPU status, logs and debug tools — are not built yet.',
};
