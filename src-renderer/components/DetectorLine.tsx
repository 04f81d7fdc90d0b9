import { detectorText } from '../format';
import { useDetectorStatus } from '../queries';

const TONES = { ready: 'good', loading: 'warn', unavailable: 'bad' } as const;

/** One line saying which model runs where, or why detection is not running. */
export function DetectorLine() {
  const detector = useDetectorStatus().data;
  const tone = detector ? TONES[detector.status] : 'muted';
  return (
    <p className={`detector-line detector-${tone}`}>
      <span className="detector-dot" aria-hidden="true" />
      <span data-testid="detector-status">
        {detector ? detectorText(detector) : 'Checking the detector…'}
      </span>
    </p>
  );
}
