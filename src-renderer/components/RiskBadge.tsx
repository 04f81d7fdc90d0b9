import type { RiskLevel } from '../../src-shared/domain';
import { RISK_LABELS, riskClass } from '../risk';

/** The one risk label: level colour and name, with the score when given ("High 72"). */
export function RiskBadge({ level, score }: { level: RiskLevel; score?: number }) {
  const label = RISK_LABELS[level];
  return (
    <span
      className={`risk-badge ${riskClass(level)}`}
      title={score === undefined ? `${label} risk` : `${label} risk, score ${score} of 100`}
    >
      <span className="risk-dot" aria-hidden="true" />
      {score === undefined ? label : `${label} ${score}`}
    </span>
  );
}
