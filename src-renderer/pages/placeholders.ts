import type { RouteId } from '../routes';

/** One sentence per area that is not built yet: what it will do. */
export const NOT_BUILT: Partial<Record<RouteId, string>> = {
  analytics:
    'Analytics — detection trends, risk history, camera uptime and object distribution — are not built yet.',
  operations:
    'Operations — service control, pipeline and GPU status, logs and debug tools — are not built yet.',
};
