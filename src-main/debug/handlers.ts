import type { Settings } from '../../src-shared/settings';
import type { HandlersFor } from '../common/handlers';
import { redactSecrets } from '../common/redact';

/** Debug channels (only reachable while debug mode is on; the router hides them otherwise). */
export function debugHandlers(d: {
  /** Where things are and what is on, besides the settings. */
  paths: () => Record<string, unknown>;
  settings: () => Settings;
}): HandlersFor<'debug.config'> {
  return {
    'debug.config': () => redactSecrets({ ...d.paths(), settings: d.settings() }),
  };
}
