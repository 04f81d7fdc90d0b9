import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AlertRule, Camera } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { cacheRule } from '../server-state';
import { plural } from '../format';
import { RISK_LABELS } from '../risk';
import { DAY_LABELS } from '../rule-form';
import { RiskBadge } from './RiskBadge';

/** "score ≥ 60 · High, Critical · person, car · 2 cameras · Mon, Tue 22:00–06:00". */
export function ruleSummary(rule: AlertRule, cameras: readonly Camera[]): string {
  const parts: string[] = [];
  if (rule.minRiskScore !== null) parts.push(`score ≥ ${rule.minRiskScore}`);
  if (rule.riskLevels) parts.push(rule.riskLevels.map((l) => RISK_LABELS[l]).join(', '));
  if (rule.objectClasses) parts.push(rule.objectClasses.join(', '));
  if (rule.cameraIds) {
    parts.push(
      rule.cameraIds.length <= 2
        ? rule.cameraIds.map((id) => cameras.find((c) => c.id === id)?.name ?? id).join(', ')
        : plural(rule.cameraIds.length, 'camera'),
    );
  }
  if (rule.zoneIds) parts.push(plural(rule.zoneIds.length, 'zone'));
  if (rule.minConfidence !== null) parts.push(`confidence ≥ ${rule.minConfidence}`);
  if (rule.schedule) {
    const days =
      rule.schedule.days.length === 7
        ? 'every day'
        : rule.schedule.days.map((d) => DAY_LABELS[d] ?? String(d)).join(', ');
    parts.push(`${days} ${rule.schedule.start}–${rule.schedule.end}`);
  }
  return parts.length > 0 ? parts.join(' · ') : 'every event';
}

/** Turns a rule on or off right away (shown at once; put back if the server refuses). */
function EnabledToggle({ rule }: { rule: AlertRule }) {
  const api = useApi();
  const qc = useQueryClient();
  const [pending, setPending] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const checked = pending ?? rule.enabled;
  const toggle = (enabled: boolean) => {
    setPending(enabled);
    setError(null);
    api.invoke('alertRules.update', { id: rule.id, enabled }).then(
      (saved) => {
        cacheRule(qc, saved);
        setPending(null);
      },
      (err: unknown) => {
        setError(`Could not ${enabled ? 'enable' : 'disable'} ${rule.name}: ${errorMessage(err)}`);
        setPending(null);
      },
    );
  };
  return (
    <>
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={checked}
          disabled={pending !== null}
          aria-label={`Enabled ${rule.name}`}
          onChange={(e) => toggle(e.target.checked)}
        />
        <span aria-hidden="true">{checked ? 'On' : 'Off'}</span>
      </label>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

interface RuleListProps {
  rules: readonly AlertRule[];
  cameras: readonly Camera[];
  editingId: string | null;
  onEdit: (rule: AlertRule) => void;
  onDelete: (rule: AlertRule) => void;
}

export function RuleList({ rules, cameras, editingId, onEdit, onDelete }: RuleListProps) {
  return (
    <div className="table-wrap">
      <table className="table rule-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Severity</th>
            <th scope="col">Conditions</th>
            <th scope="col">Channels</th>
            <th scope="col">Enabled</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr
              key={rule.id}
              data-testid={`rule-row-${rule.id}`}
              className={rule.id === editingId ? 'is-current' : undefined}
            >
              <td className="cell-name">{rule.name}</td>
              <td>
                <RiskBadge level={rule.severity} />
              </td>
              <td className="rule-summary">{ruleSummary(rule, cameras)}</td>
              <td>{rule.channelIds.length > 0 ? rule.channelIds.length : 'none'}</td>
              <td>
                <EnabledToggle rule={rule} />
              </td>
              <td>
                <div className="row-actions">
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => onEdit(rule)}
                  >
                    Edit<span className="visually-hidden"> {rule.name}</span>
                  </button>
                  <button
                    type="button"
                    className="button button-small button-danger-quiet"
                    onClick={() => onDelete(rule)}
                  >
                    Delete<span className="visually-hidden"> {rule.name}</span>
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
