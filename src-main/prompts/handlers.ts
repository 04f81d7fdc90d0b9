import type { HandlersFor } from '../common/handlers';
import type { LlmServers } from './llm-servers';
import type { PromptLab } from './prompt-lab';
import type { PromptService } from './prompt-service';

export function promptHandlers(d: {
  service: PromptService;
  lab: PromptLab;
  servers: LlmServers;
}): HandlersFor<
  | 'prompts.templates.list'
  | 'prompts.templates.get'
  | 'prompts.templates.create'
  | 'prompts.versions.list'
  | 'prompts.versions.create'
  | 'prompts.versions.activate'
  | 'prompts.rollback'
  | 'prompts.render'
  | 'prompts.experiment.get'
  | 'prompts.experiment.set'
  | 'prompts.experiment.stop'
  | 'prompts.experiment.promote'
  | 'prompts.analytics'
  | 'prompts.evaluate'
  | 'prompts.evaluation'
  | 'prompts.playground'
  | 'prompts.playground.promote'
  | 'prompts.export'
  | 'prompts.import'
  | 'llm.models'
  | 'llm.detect'
  | 'llm.test'
> {
  const { service, lab, servers } = d;
  return {
    'prompts.templates.list': () => service.listTemplates(),
    'prompts.templates.get': ({ id }) => service.detail(id),
    'prompts.templates.create': (input) => service.createTemplate(input),
    'prompts.versions.list': ({ templateId, limit }) => service.versions(templateId, limit),
    'prompts.versions.create': (input) => service.createVersion(input),
    'prompts.versions.activate': ({ versionId }) => service.activate(versionId),
    'prompts.rollback': (input) => service.rollback(input),
    'prompts.render': (input) => service.render(input),
    'prompts.experiment.get': ({ templateId }) => service.experiment(templateId),
    'prompts.experiment.set': (input) => service.setExperiment(input),
    'prompts.experiment.stop': ({ templateId }) => service.stopExperiment(templateId),
    'prompts.experiment.promote': ({ versionId }) => service.promote(versionId),
    'prompts.analytics': (input) => lab.analytics(input),
    'prompts.evaluate': (input) => lab.evaluate(input),
    'prompts.evaluation': ({ jobId }) => lab.evaluation(jobId),
    'prompts.playground': (input) => lab.playground(input),
    'prompts.playground.promote': (input) => lab.promote(input),
    'prompts.export': () => service.exportAll(),
    'prompts.import': (input) => service.import(input),
    'llm.models': (input) => servers.models(input),
    'llm.detect': () => servers.detect(),
    'llm.test': (input) => servers.test(input),
  };
}
