import type { ProbeResult } from '../services';
import type { ObjectDetector } from './detector';

/** The detector service's health: running with a model loaded, degraded without one. */
export function detectorProbe(detector: ObjectDetector): () => Promise<ProbeResult> {
  return async () => {
    await detector.ensureLoaded();
    const s = detector.status();
    return s.status === 'ready'
      ? { status: 'running', detail: `${s.family} on ${s.provider}` }
      : { status: 'degraded', detail: s.reason ?? s.status };
  };
}
