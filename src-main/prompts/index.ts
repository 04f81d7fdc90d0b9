/** Prompts: versioned templates the LLM is asked with, experiments, evaluation, playground. */
export { LlmError } from './llm-client';
export { promptRepository } from './prompt-repository';
export type { PromptRepository } from './prompt-repository';
export { PromptRunner } from './prompt-runner';
export type { RunOutcome, RunnableVersion } from './prompt-runner';
export { PromptExperiments } from './prompt-experiments';
export type { LivePrompts } from './prompt-experiments';
export { PromptService } from './prompt-service';
export { PromptLab } from './prompt-lab';
export type { PromptEventSource } from './prompt-lab';
export { LlmServers } from './llm-servers';
export { promptHandlers } from './handlers';
export { zonesFor } from './prompt-variables';
export type { PromptContext, RecentEvent, ScoredDetection } from './prompt-variables';
export { createPrompts } from './prompts-module';
