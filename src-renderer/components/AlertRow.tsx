import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Alert } from '../../src-shared/domain';
import type { AlertAction } from '../alert-actions';
import { actOn } from '../alert-actions';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { conditionList } from '../alert-conditions';
import { dateTime, timeAgo } from '../format';
import { riskClass } from '../risk';
import { eventHref } from '../routes';
import { useAlertsView } from '../stores/alerts-view';
import { RiskBadge } from './RiskBadge';
import { StatusBadge } from './StatusBadge';

/** What an alert is called in lists and button names: its rule, or a note that it is gone. */
export function alertName(alert: Alert): string {
  return alert.ruleName ?? 'Deleted rule';
}

interface AlertRowProps {
  alert: Alert;
  cameraName: string;
  selected: boolean;
  now: number;
}

/** One alert: severity, rule, camera, time, matched conditions, event link and actions. */
export function AlertRow({ alert, cameraName, selected, now }: AlertRowProps) {
  const api = useApi();
  const qc = useQueryClient();
  const setSelected = useAlertsView((s) => s.setSelected);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = alertName(alert);
  const when = dateTime(alert.createdAt);

  const run = (action: AlertAction) => {
    setBusy(true);
    setError(null);
    actOn(api, qc, alert.id, action).then(
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        setError(
          `Could not ${action === 'acknowledge' ? 'acknowledge' : 'dismiss'} the alert: ${errorMessage(err)}`,
        );
      },
    );
  };

  return (
    <li
      className={`alert-row ${riskClass(alert.severity)} alert-${alert.status}`}
      data-testid={`alert-row-${alert.id}`}
    >
      <input
        type="checkbox"
        className="alert-select"
        checked={selected}
        aria-label={`Select ${name} alert, ${when}`}
        onChange={(e) => setSelected(alert.id, e.target.checked)}
      />
      <div className="alert-body">
        <p className="alert-head">
          <RiskBadge level={alert.severity} />
          <span className="alert-rule">{name}</span>
          <span className="alert-camera">{cameraName}</span>
          <time className="alert-time" dateTime={alert.createdAt} title={when}>
            {when} · {timeAgo(alert.createdAt, now)}
          </time>
          {alert.status !== 'active' && <StatusBadge status={alert.status} />}
        </p>
        <p className="alert-conditions">
          Matched: {conditionList(alert.matchedConditions, 'every event (no conditions)')}
        </p>
        <a className="alert-event-link" href={eventHref(alert.eventId)}>
          View event
          <span className="visually-hidden">
            {' '}
            for {name} alert, {when}
          </span>
        </a>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="row-actions alert-actions">
        {alert.status === 'active' && (
          <button
            type="button"
            className="button button-small button-primary"
            disabled={busy}
            onClick={() => run('acknowledge')}
          >
            Acknowledge<span className="visually-hidden"> {name}</span>
          </button>
        )}
        {alert.status !== 'dismissed' && (
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => run('dismiss')}
          >
            Dismiss<span className="visually-hidden"> {name}</span>
          </button>
        )}
      </div>
    </li>
  );
}
