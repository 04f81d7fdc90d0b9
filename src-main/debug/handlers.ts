import type { Settings } from '../../src-shared/settings';
import type { BreakerSnapshot } from '../../src-shared/domain';
import type { ConnectionInfo } from '../common/connections';
import type { HandlersFor } from '../common/handlers';
import { redactSecrets } from '../common/redact';
import type { LogRepository } from '../system';
import type { DebugService } from './debug-service';

/** Debug channels (only reachable while debug mode is on; the router hides them otherwise). */
export function debugHandlers(d: {
  /** Where things are and what is on, besides the settings. */
  paths: () => Record<string, unknown>;
  settings: () => Settings;
  debugMode: () => boolean;
  debug: DebugService;
  logs: LogRepository;
  breakers: () => BreakerSnapshot[];
  openBatches: () => { cameraId: string; detections: number; openedAt: string }[];
  connections: () => ConnectionInfo[];
}): HandlersFor<
  | 'debug.config'
  | 'debug.recordings.list'
  | 'debug.recordings.get'
  | 'debug.recordings.clear'
  | 'debug.recordings.replay'
  | 'debug.logLevel'
  | 'debug.logs'
  | 'debug.breakers'
  | 'debug.openBatches'
  | 'debug.connections'
> {
  return {
    'debug.config': () =>
      redactSecrets({ ...d.paths(), debug: d.debugMode(), settings: d.settings() }),
    'debug.recordings.list': (f) => d.debug.list(f),
    'debug.recordings.get': ({ id }) => d.debug.get(id),
    'debug.recordings.clear': () => d.debug.clear(),
    'debug.recordings.replay': ({ id, confirm }) => d.debug.replay(id, confirm),
    'debug.logLevel': (input) => d.debug.logLevel(input),
    'debug.logs': (f) => d.logs.list(f),
    'debug.breakers': () => d.breakers(),
    'debug.openBatches': () => d.openBatches(),
    'debug.connections': () => d.connections(),
  };
}
