/** Debug: channels for looking inside the running app (debug mode only). */
export { debugHandlers } from './handlers';
export { DebugService, MAX_RECORDED_OUTPUT } from './debug-service';
export { recordingRepository } from './recording-repository';
export type { RecordingRepository } from './recording-repository';
export { pipelineCounts, pipelineStatus } from './pipeline-status';
export type { PipelineCounts } from './pipeline-status';
