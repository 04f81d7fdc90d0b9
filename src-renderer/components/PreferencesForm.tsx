import { useWatch } from 'react-hook-form';
import type { NotificationPreferences } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { FormCheckbox, FormChoices, FormSelect, FormText, useFieldError } from '../forms/fields';
import { Form, FormProblem, SaveActions } from '../forms/Form';
import { useSavedEditor } from '../forms/saved-editor';
import { TimeWindowFields } from '../forms/TimeWindowFields';
import type { PreferencesForm as V, PreferencesPatch } from '../preferences-form';
import {
  preferencesFieldKeys,
  preferencesFormFrom,
  preferencesFormSchema,
} from '../preferences-form';
import { useCameras, useChannels, usePreferences } from '../queries';
import { keys } from '../server-state';
import { RISK_LABELS } from '../risk';

const SEVERITY_OPTIONS = [
  { value: '', label: 'Any severity' },
  ...RISK_LEVELS.map((level) => ({ value: level, label: `${RISK_LABELS[level]} and above` })),
];

function ChannelSeverityFields() {
  const channels = useChannels().data ?? [];
  const errors = useFieldError<V>('channelMinSeverity');
  return (
    <fieldset className="choice-group">
      <legend>Minimum severity per channel</legend>
      {channels.length === 0 && <p className="muted choice-empty">No channels yet.</p>}
      {channels.map((channel) => (
        <FormSelect<V>
          key={channel.id}
          name={`channelMinSeverity.${channel.id}`}
          id={`pref-severity-${channel.id}`}
          label={`Minimum severity for ${channel.name}`}
          options={SEVERITY_OPTIONS}
        />
      ))}
      {errors && <p className="field-error">{errors.join(' ')}</p>}
    </fieldset>
  );
}

function PreferencesEditor({ initial }: { initial: NotificationPreferences }) {
  const api = useApi();
  const cameras = useCameras().data ?? [];
  const channels = useChannels().data ?? [];
  const { form, formProps, saving, message, submit } = useSavedEditor({
    saved: initial,
    toForm: preferencesFormFrom,
    schema: preferencesFormSchema,
    queryKey: keys.preferences,
    fieldKeys: preferencesFieldKeys(channels.map((c) => c.id)),
  });
  const quietOn = useWatch({ control: form.control, name: 'quietHours.on' });

  const save = (patch: PreferencesPatch) =>
    submit(() => api.invoke('notify.preferences.update', patch), 'Preferences saved');

  return (
    <Form
      {...formProps}
      onValid={save}
      aria-label="Notification preferences"
      className="form panel preferences-form"
    >
      <FormChoices<V>
        name="mutedCameraIds"
        id="pref-muted"
        legend="Muted cameras"
        choices={cameras.map((c) => ({ value: c.id, label: c.name }))}
        hint="Alerts from muted cameras are still listed but not sent."
        emptyText="No cameras yet."
      />
      <FormCheckbox<V>
        name="quietHours.on"
        id="pref-quiet-on"
        label="Quiet hours"
        hint="During quiet hours nothing is sent; the deliveries are logged as suppressed."
      />
      {quietOn && (
        <TimeWindowFields<V>
          idPrefix="pref-quiet"
          name="quietHours"
          startLabel="From"
          endLabel="To"
        />
      )}
      <FormText<V>
        name="maxPerHour"
        id="pref-max-per-hour"
        label="Maximum per hour (per channel)"
        type="number"
        min={1}
        max={10000}
        step={1}
        hint="Beyond this, a channel's deliveries are folded into one digest. Empty: unlimited."
      />
      <ChannelSeverityFields />
      <FormProblem />
      <SaveActions label="Save preferences" saving={saving} message={message} />
    </Form>
  );
}

/** Loads the preferences, then edits them (a load failure offers to try again). */
export function PreferencesForm() {
  const query = usePreferences();
  return (
    <section className="preferences" aria-labelledby="preferences-title">
      <h3 id="preferences-title">Preferences</h3>
      {query.isError && !query.data && (
        <div className="notice notice-error" role="alert">
          <p>Could not load notification preferences: {errorMessage(query.error)}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => void query.refetch()}
          >
            Try again
          </button>
        </div>
      )}
      {query.isPending && <p className="muted">Loading preferences…</p>}
      {query.data && <PreferencesEditor initial={query.data} />}
    </section>
  );
}
