/** Small charts of the prompt analytics: a version's days, a shadow comparison's spread. */
import type { VersionAnalytics } from '../../src-shared/prompts';
import { SHADOW_BUCKETS } from '../../src-shared/prompts';

const W = 220;
const H = 56;
const PAD = 3;

/** Uses per day as bars, mean risk (0–100) as a line over them. */
export function DailyChart({ daily, label }: { daily: VersionAnalytics['daily']; label: string }) {
  if (daily.length === 0) return <span className="muted">No days yet</span>;
  const maxUses = Math.max(1, ...daily.map((d) => d.uses));
  const step = (W - 2 * PAD) / daily.length;
  const x = (i: number) => PAD + step * i + step / 2;
  const y = (risk: number) => PAD + (H - 2 * PAD) * (1 - risk / 100);
  const points = daily.flatMap((d, i) =>
    d.meanRisk === null ? [] : [`${x(i).toFixed(1)},${y(d.meanRisk).toFixed(1)}`],
  );
  const spoken = daily
    .map(
      (d) =>
        `${d.day}: ${d.uses} uses, mean risk ${d.meanRisk === null ? 'none' : Math.round(d.meanRisk)}`,
    )
    .join('; ');
  return (
    <svg
      className="daily-chart"
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={`${label}, per day: ${spoken}`}
    >
      {daily.map((d, i) => {
        const h = ((H - 2 * PAD) * d.uses) / maxUses;
        const w = Math.min(step * 0.7, 12);
        return (
          <rect
            key={d.day}
            className="daily-uses"
            x={x(i) - w / 2}
            y={H - PAD - h}
            width={w}
            height={h}
          >
            <title>{`${d.day}: ${d.uses} uses`}</title>
          </rect>
        );
      })}
      {points.length > 1 && <polyline className="daily-risk" points={points.join(' ')} />}
      {daily.map((d, i) =>
        d.meanRisk === null ? null : (
          <circle key={d.day} className="daily-risk-dot" cx={x(i)} cy={y(d.meanRisk)} r={2.5}>
            <title>{`${d.day}: mean risk ${Math.round(d.meanRisk)}`}</title>
          </circle>
        ),
      )}
    </svg>
  );
}

const BUCKET_TONES = ['calmer', 'calmer', 'same', 'alarming', 'alarming'] as const;

/** How a candidate's scores differ from the active version's on the same events. */
export function ShadowBars({ distribution }: { distribution: readonly number[] }) {
  const max = Math.max(1, ...distribution);
  return (
    <table className="shadow-bars">
      <caption className="visually-hidden">Candidate minus active score, events per range</caption>
      <tbody>
        {SHADOW_BUCKETS.map((bucket, i) => {
          const n = distribution[i] ?? 0;
          return (
            <tr key={bucket}>
              <th scope="row">{bucket}</th>
              <td>
                <span
                  className={`shadow-bar delta-${BUCKET_TONES[i]}`}
                  style={{ width: `${(n / max) * 100}%` }}
                  aria-hidden="true"
                />
              </td>
              <td className="cell-number">{n}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
