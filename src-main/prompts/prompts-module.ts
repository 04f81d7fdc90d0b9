import type { Settings } from '../../src-shared/settings';
import type { CalibrationRepository } from '../calibration';
import type { DomainEventBus, Publish } from '../common/domain-events';
import type { JobRepository, JobService } from '../jobs';
import type { Logger } from '../system';
import { promptHandlers } from './handlers';
import { LlmServers } from './llm-servers';
import type { PromptEventSource } from './prompt-lab';
import { PromptLab } from './prompt-lab';
import { PromptExperiments } from './prompt-experiments';
import type { PromptRepository } from './prompt-repository';
import type { RecentEvents } from './prompt-runner';
import { PromptRunner } from './prompt-runner';
import { PromptService } from './prompt-service';
import type { PromptContext } from './prompt-variables';

/**
 * The prompts domain, built from what it is given: the live prompt selection the LLM scorer
 * asks (`experiments`), the lab (evaluation jobs resumed by `lab.start()`), and the handlers.
 */
export function createPrompts(d: {
  prompts: PromptRepository;
  calibration: CalibrationRepository;
  jobs: JobRepository;
  events: PromptEventSource & { recentForCamera: RecentEvents };
  jobService: JobService;
  llm: () => Settings['llm'];
  bus: DomainEventBus;
  publish: Publish;
  logger: Logger;
  contextFor: (eventId: string) => Promise<PromptContext | undefined>;
  modelIdle: () => boolean;
  localLlmServers?: { name: string; port: number }[];
}) {
  const runner = new PromptRunner({
    ...d,
    recentEvents: (cameraId, before, limit) => d.events.recentForCamera(cameraId, before, limit),
  });
  const experiments = new PromptExperiments({ ...d, runner });
  const service = new PromptService(d);
  const lab = new PromptLab({ ...d, service, runner });
  const servers = new LlmServers({ llm: d.llm, candidates: d.localLlmServers });
  return { experiments, lab, handlers: promptHandlers({ service, lab, servers }) };
}
