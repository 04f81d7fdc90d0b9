import { useEffect, useRef, useState } from 'react';
import type { AlertRule } from '../../src-shared/domain';
import { api } from '../api';
import { useAlertRules } from '../stores/alert-rules';
import { useCameras } from '../stores/cameras';
import { useConnection } from '../stores/connection';
import { useChannels } from '../stores/notify-channels';
import { useZones } from '../stores/zones';
import { ConfirmDialog } from './ConfirmDialog';
import { RuleForm } from './RuleForm';
import { RuleList } from './RuleList';

/** `#/alerts/rules`: the rules, and one form to add a rule or edit the one picked. */
export function RulesEditor() {
  const rules = useAlertRules((s) => s.rules);
  const status = useAlertRules((s) => s.status);
  const error = useAlertRules((s) => s.error);
  const cameras = useCameras((s) => s.cameras);
  const reconnects = useConnection((s) => s.reconnects);
  const [editing, setEditing] = useState<AlertRule | null>(null);
  /** Bumped to start a fresh "new rule" form. */
  const [formKey, setFormKey] = useState(0);
  const [deleting, setDeleting] = useState<AlertRule | null>(null);
  const [message, setMessage] = useState('');
  const nameRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  /** Bumped to move focus to the form's first field (after Edit or Add rule). */
  const [focusTick, setFocusTick] = useState(0);

  useEffect(() => {
    void useAlertRules.getState().load();
    void useCameras.getState().load();
    void useChannels.getState().load();
    useZones.getState().reset();
  }, [reconnects]);

  useEffect(() => {
    if (focusTick === 0) return;
    nameRef.current?.focus();
    nameRef.current?.scrollIntoView({ block: 'center' });
  }, [focusTick]);

  const resetForm = () => {
    setEditing(null);
    setFormKey((k) => k + 1);
  };

  const startNew = () => {
    resetForm();
    setFocusTick((t) => t + 1);
  };

  const onEdit = (rule: AlertRule) => {
    setEditing(rule);
    setMessage('');
    setFocusTick((t) => t + 1);
  };

  const onSaved = (rule: AlertRule, created: boolean) => {
    useAlertRules.getState().upsert(rule);
    setMessage(created ? `Added rule ${rule.name}` : `Saved rule ${rule.name}`);
    resetForm();
  };

  const remove = async (rule: AlertRule) => {
    await api.invoke('alertRules.delete', { id: rule.id });
    useAlertRules.getState().remove(rule.id);
    if (editing?.id === rule.id) resetForm();
    setDeleting(null);
    setMessage(`Deleted rule ${rule.name}`);
    headingRef.current?.focus();
  };

  return (
    <section className="rules-editor" aria-labelledby="rules-title">
      <div className="section-header">
        <h2 id="rules-title" ref={headingRef} tabIndex={-1}>
          Alert rules
        </h2>
        <button type="button" className="button button-primary" onClick={startNew}>
          Add rule
        </button>
      </div>
      <p className="page-intro">
        A rule turns matching events into alerts and sends them to its notification channels.
      </p>
      <p role="status" className="status-line">
        {message}
      </p>
      {status === 'error' && (
        <div className="notice notice-error" role="alert">
          <p>Could not load rules: {error}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => void useAlertRules.getState().load()}
          >
            Retry
          </button>
        </div>
      )}
      {(status === 'idle' || status === 'loading') && <p className="muted">Loading rules…</p>}
      {status === 'ready' && rules.length === 0 && (
        <p className="muted" data-testid="rules-empty">
          No rules yet. Fill in the form below to add the first one.
        </p>
      )}
      {rules.length > 0 && (
        <RuleList
          rules={rules}
          cameras={cameras}
          editingId={editing?.id ?? null}
          onEdit={onEdit}
          onDelete={setDeleting}
        />
      )}
      <RuleForm
        key={editing ? `edit-${editing.id}` : `new-${formKey}`}
        rule={editing}
        nameRef={nameRef}
        onSaved={onSaved}
        onCancel={startNew}
      />
      {deleting && (
        <ConfirmDialog
          id="delete-rule"
          title="Confirm delete"
          text={`Delete rule ${deleting.name}? Alerts it raised are kept.`}
          confirmLabel="Delete rule"
          onConfirm={() => remove(deleting)}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
