import type { BatchAggregator } from '../aggregate';
import type { ConnectionRegistry } from '../common/connections';
import type { HandlersFor } from '../common/handlers';
import { redactSecrets } from '../common/redact';
import type { EventService } from '../events';
import type { CircuitBreaker } from '../risk';
import type { LogRepository, SettingsService } from '../system';
import { redactSettings } from '../system';
import type { DebugService } from './debug-service';
import type { PipelineCounts } from './pipeline-status';
import { pipelineStatus } from './pipeline-status';

/** Debug channels (only reachable while debug mode is on; the router hides them otherwise). */
export function debugHandlers(d: {
  /** Where things are, besides the settings. */
  paths: () => Record<string, unknown>;
  settings: SettingsService;
  debugEnabled: () => boolean;
  debug: DebugService;
  logs: LogRepository;
  counts: PipelineCounts;
  llmBreaker: CircuitBreaker;
  aggregator: BatchAggregator;
  events: EventService;
  connections: ConnectionRegistry;
}): HandlersFor<
  | 'debug.config'
  | 'debug.recordings.list'
  | 'debug.recordings.get'
  | 'debug.recordings.clear'
  | 'debug.recordings.replay'
  | 'debug.logLevel'
  | 'debug.logs'
  | 'debug.pipeline'
  | 'debug.breakers'
  | 'debug.openBatches'
  | 'debug.connections'
> {
  return {
    // The settings' registered secret paths first, then every secret-looking key and URL.
    'debug.config': () =>
      redactSecrets({
        ...d.paths(),
        debug: d.debugEnabled(),
        settings: redactSettings(d.settings.get()),
      }),
    'debug.recordings.list': (f) => d.debug.list(f),
    'debug.recordings.get': ({ id }) => d.debug.get(id),
    'debug.recordings.clear': () => d.debug.clear(),
    'debug.recordings.replay': ({ id, confirm }) => d.debug.replay(id, confirm),
    'debug.logLevel': (input) => d.debug.logLevel(input),
    'debug.logs': (f) => d.logs.list(f),
    'debug.pipeline': () =>
      pipelineStatus(d.counts, {
        openBatches: () => d.aggregator.openBatches(),
        scoring: () => d.events.scoringNow(),
        workers: () => {
          const { decodeWorkers, concurrency } = d.settings.get().detector;
          return { decode: decodeWorkers, inference: concurrency };
        },
      }),
    'debug.breakers': () => [d.llmBreaker.snapshot()],
    'debug.openBatches': () => d.aggregator.openBatches(),
    'debug.connections': () => d.connections.list(),
  };
}
