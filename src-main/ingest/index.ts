/** Ingest: folder watching, the FTP endpoint, the persisted queue and the detection pipeline. */
export { ingestRepository } from './ingest-repository';
export type { IngestRepository, IngestRow } from './ingest-repository';
export { IngestService } from './ingest-service';
export { IngestPipeline } from './pipeline';
export type { StageTimings } from './pipeline';
export { IngestRuntime } from './ingest-runtime';
export { ingestHandlers } from './handlers';
