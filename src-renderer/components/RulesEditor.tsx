import { useEffect } from 'react';
import type { AlertRule } from '../../src-shared/domain';
import { api } from '../api';
import { useListEditor } from './use-list-editor';
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
  const {
    editing,
    formKey,
    deleting,
    setDeleting,
    message,
    nameRef,
    headingRef,
    startNew,
    onEdit,
    onSaved,
    remove,
  } = useListEditor<AlertRule>({
    noun: 'rule',
    upsert: (item) => useAlertRules.getState().upsert(item),
    remove: async (item) => {
      await api.invoke('alertRules.delete', { id: item.id });
      useAlertRules.getState().remove(item.id);
    },
  });

  useEffect(() => {
    void useAlertRules.getState().load();
    void useCameras.getState().load();
    void useChannels.getState().load();
    useZones.getState().reset();
  }, [reconnects]);

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
