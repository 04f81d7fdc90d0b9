import { useQueryClient } from '@tanstack/react-query';
import type { AlertRule } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { useCameras, useRules } from '../queries';
import { cacheRule, uncacheRule } from '../server-state';
import { useListEditor } from './use-list-editor';
import { ConfirmDialog } from './ConfirmDialog';
import { RuleForm } from './RuleForm';
import { RuleList } from './RuleList';

/** `#/alerts/rules`: the rules, and one form to add a rule or edit the one picked. */
export function RulesEditor() {
  const api = useApi();
  const qc = useQueryClient();
  const rulesQuery = useRules();
  const rules = rulesQuery.data ?? [];
  const cameras = useCameras().data ?? [];
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
    upsert: (item) => cacheRule(qc, item),
    remove: async (item) => {
      await api.invoke('alertRules.delete', { id: item.id });
      uncacheRule(qc, item.id);
    },
  });

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
      {rulesQuery.isError && (
        <div className="notice notice-error" role="alert">
          <p>Could not load rules: {errorMessage(rulesQuery.error)}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => void rulesQuery.refetch()}
          >
            Retry
          </button>
        </div>
      )}
      {rulesQuery.isPending && <p className="muted">Loading rules…</p>}
      {rulesQuery.isSuccess && rules.length === 0 && (
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
