import { riskLevelFor } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useRiskGauge } from '../queries';
import { dateTime } from '../format';
import { RISK_LABELS, riskClass } from '../risk';
import { eventHref } from '../routes';

const ARC = 'M 10 60 A 50 50 0 0 1 110 60';

/** Current risk: a semicircle filled to the last hour's highest score, in its level colour. */
export function RiskGauge() {
  const query = useRiskGauge();
  const top = query.data ?? null;
  const loaded = query.isSuccess;
  const error = query.isError ? errorMessage(query.error) : null;

  const score = top?.riskScore ?? 0;
  const level = top?.riskLevel ?? riskLevelFor(score);

  return (
    <section className="panel" aria-labelledby="gauge-title">
      <h2 id="gauge-title">Current risk</h2>
      {error && (
        <p className="notice notice-error" role="alert">
          Could not work out the current risk: {error}
        </p>
      )}
      {!loaded && !error ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className={`risk-gauge ${riskClass(level)}`}>
          {/* Only the drawing and the number: the element's text is the score. */}
          <div className="gauge-dial" data-testid="risk-gauge">
            <svg
              viewBox="0 0 120 68"
              role="meter"
              aria-label="Highest risk score in the last hour"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={score}
              aria-valuetext={`${score}, ${RISK_LABELS[level]}`}
            >
              <path className="gauge-track" d={ARC} pathLength={100} />
              {score > 0 && (
                <path
                  className="gauge-fill"
                  d={ARC}
                  pathLength={100}
                  strokeDasharray={`${score} 100`}
                />
              )}
            </svg>
            <span className="gauge-value" aria-hidden="true">
              {score}
            </span>
          </div>
          <p className="gauge-level">{top ? RISK_LABELS[level] : 'Quiet'}</p>
          <p className="muted gauge-note">
            {top ? (
              <>
                Highest in the last hour:{' '}
                <a href={eventHref(top.id)} title={dateTime(top.startedAt)}>
                  {top.cameraName}
                </a>
              </>
            ) : (
              'No events in the last hour'
            )}
          </p>
        </div>
      )}
    </section>
  );
}
