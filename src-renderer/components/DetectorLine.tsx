import { detectorText } from '../format';
import { useDetectorStatus } from '../queries';

const TONES = { ready: 'good', loading: 'warn', unavailable: 'bad' } as const;

/** One line saying where detection runs and which model, or why it is not running. */
export function DetectorLine() {
  const detector = useDetectorStatus().data;
  // Working, but not where it was asked to: the inference servers are down.
  const tone = !detector
    ? 'muted'
    : detector.status === 'ready' && detector.backend === 'local (fallback)'
      ? 'warn'
      : TONES[detector.status];
  return (
    <p className={`detector-line detector-${tone}`}>
      <span className="detector-dot" aria-hidden="true" />
      <span data-testid="detector-status">
        {detector ? detectorText(detector) : 'Checking the detector…'}
      </span>
    </p>
  );
}
