import { useEffect, useState } from 'react';
import type { Page } from '../../src-shared/contract';
import type { SecurityEvent } from '../../src-shared/domain';
import { riskLevelFor } from '../../src-shared/domain';
import { api, errorMessage } from '../api';
import { dateTime } from '../format';
import { RISK_LABELS, riskClass } from '../risk';
import { eventHref } from '../routes';
import { useConnection } from '../stores/connection';

const WINDOW_MS = 60 * 60 * 1000;
/** Events age out of the window: recompute this often. */
const REFRESH_MS = 60 * 1000;
const PAGE = 100;

/**
 * The highest-scored event that started in the last hour. Each call asks only for events above
 * the best so far, so it ends after a few calls however many events there are.
 */
async function highestSince(from: string): Promise<SecurityEvent | null> {
  let best: SecurityEvent | null = null;
  for (;;) {
    const minRisk: number = best ? best.riskScore + 1 : 0;
    if (minRisk > 100) return best;
    const page: Page<SecurityEvent> = await api.invoke('events.list', {
      from,
      minRisk,
      limit: PAGE,
    });
    if (page.items.length === 0) return best;
    for (const e of page.items) if (!best || e.riskScore > best.riskScore) best = e;
  }
}

const ARC = 'M 10 60 A 50 50 0 0 1 110 60';

/** Current risk: a semicircle filled to the last hour's highest score, in its level colour. */
export function RiskGauge() {
  const [top, setTop] = useState<SecurityEvent | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reconnects = useConnection((s) => s.reconnects);

  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    let live = true;
    highestSince(new Date(Date.now() - WINDOW_MS).toISOString()).then(
      (best) => {
        if (!live) return;
        setTop(best);
        setLoaded(true);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [reconnects, tick]);

  useEffect(() => {
    const consider = (event: SecurityEvent) => {
      if (Date.parse(event.startedAt) < Date.now() - WINDOW_MS) return;
      setTop((current) => {
        if (current?.id === event.id) return event;
        return !current || event.riskScore > current.riskScore ? event : current;
      });
    };
    const offCreated = api.on('event.created', consider);
    const offUpdated = api.on('event.updated', consider);
    return () => {
      offCreated();
      offUpdated();
    };
  }, []);

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
