import type { HealthProbe } from '../system/health';
import type { ObjectDetector } from './detector';

/** Resolves "not loaded yet" into ready or a reason; a loaded model is cached. */
export function detectorProbe(detector: ObjectDetector): HealthProbe {
  return async () => {
    await detector.ensureLoaded();
    const s = detector.status();
    return {
      name: 'detector',
      status: s.status === 'ready' ? 'running' : 'degraded',
      detail: s.status === 'ready' ? `${s.family} on ${s.provider}` : (s.reason ?? s.status),
    };
  };
}
