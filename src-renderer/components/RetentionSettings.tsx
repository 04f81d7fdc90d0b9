/** How long each kind of data is kept, when the daily run happens, and a run's dry-run preview. */
import { useMemo } from 'react';
import type { Settings, SettingsPatch } from '../../src-shared/settings';
import { useApi } from '../app-context';
import { FormCheckbox, FormSelect, FormText } from '../forms/fields';
import { Form, FormProblem, SaveActions } from '../forms/Form';
import { useSavedEditor } from '../forms/saved-editor';
import { useSettings } from '../queries';
import type { RetentionForm as V } from '../retention-form';
import {
  HOUR_OPTIONS,
  RETENTION_FIELD_KEYS,
  retentionFormFrom,
  retentionFormSchema,
} from '../retention-form';
import { keys } from '../server-state';
import { ErrorNotice } from './ErrorNotice';
import { RetentionPreview } from './RetentionPreview';

const DAYS = { type: 'number', min: 1, max: 3650, step: 1 } as const;

function RetentionEditor({ saved }: { saved: Settings }) {
  const api = useApi();
  const schema = useMemo(() => retentionFormSchema(saved), [saved]);
  const { form, formProps, saving, message, setMessage, submit } = useSavedEditor({
    saved,
    toForm: retentionFormFrom,
    schema,
    queryKey: keys.settings,
    fieldKeys: RETENTION_FIELD_KEYS,
  });
  const save = (patch: SettingsPatch) =>
    submit(() => api.invoke('system.settings.update', patch), 'Retention settings saved');

  return (
    <Form {...formProps} onValid={save} aria-label="Retention settings" className="form">
      <div className="retention-fields">
        <FormText<V>
          name="retentionDays"
          id="retention-events-days"
          label="Events, detections and snapshots (days)"
          hint="Kept unless an active alert or an unfinished export still needs them."
          {...DAYS}
        />
        <FormText<V>
          name="retention.logsDays"
          id="retention-logs-days"
          label="Logs (days)"
          {...DAYS}
        />
        <FormText<V>
          name="retention.rumDays"
          id="retention-rum-days"
          label="Page performance samples (days)"
          {...DAYS}
        />
        <FormText<V>
          name="retention.jobsDays"
          id="retention-jobs-days"
          label="Finished background jobs (days)"
          hint="Jobs holding dead letters stay."
          {...DAYS}
        />
        <FormText<V>
          name="retention.recordingsDays"
          id="retention-recordings-days"
          label="Debug recordings (days)"
          {...DAYS}
        />
      </div>
      <FormCheckbox<V>
        name="retention.daily"
        id="retention-daily"
        label="Run retention daily"
        hint="Off: data is deleted only when you run retention here."
      />
      <FormSelect<V>
        name="retention.hour"
        id="retention-hour"
        label="Daily run at (local time)"
        options={HOUR_OPTIONS}
      />
      <FormProblem />
      <SaveActions
        label="Save retention settings"
        saving={saving}
        message={message}
        onDiscard={() => {
          form.reset(retentionFormFrom(saved));
          setMessage('');
        }}
      />
    </Form>
  );
}

export function RetentionSettings() {
  const query = useSettings();
  return (
    <section
      className="panel ops-area"
      aria-labelledby="ops-retention-title"
      data-testid="ops-retention"
    >
      <h2 id="ops-retention-title">Retention</h2>
      <p className="field-hint analytics-note">
        How long each kind of data is kept. A retention run deletes what is older, a little at a
        time so the app keeps answering; preview one first to see what it would delete.
      </p>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not load settings" />}
      {query.isPending && <p className="muted">Loading…</p>}
      {query.data && <RetentionEditor saved={query.data} />}
      <RetentionPreview />
    </section>
  );
}
