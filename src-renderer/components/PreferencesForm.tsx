import type { FormEvent } from 'react';
import { useEffect, useState } from 'react';
import type { NotificationPreferences, RiskLevel } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { api, errorMessage } from '../api';
import type { FormErrors } from '../form-errors';
import { NO_ERRORS, formErrorsFrom } from '../form-errors';
import type { PreferencesForm as PreferencesValues } from '../preferences-form';
import {
  preferencesFieldKeys,
  preferencesFormFrom,
  preferencesPatchFrom,
} from '../preferences-form';
import { RISK_LABELS } from '../risk';
import { useCameras } from '../stores/cameras';
import { useConnection } from '../stores/connection';
import { useChannels } from '../stores/notify-channels';
import { CheckboxField, CheckboxGroup, SelectField, TextField } from './Field';
import { TimeWindowFields } from './TimeWindowFields';

const SEVERITY_OPTIONS = [
  { value: '', label: 'Any severity' },
  ...RISK_LEVELS.map((level) => ({ value: level, label: `${RISK_LABELS[level]} and above` })),
];

type SetPrefs = (patch: Partial<PreferencesValues>) => void;

function ChannelSeverityFields({
  form,
  set,
  errors,
}: {
  form: PreferencesValues;
  set: SetPrefs;
  errors: FormErrors['fields'];
}) {
  const channels = useChannels((s) => s.channels);
  return (
    <fieldset className="choice-group">
      <legend>Minimum severity per channel</legend>
      {channels.length === 0 && <p className="muted choice-empty">No channels yet.</p>}
      {channels.map((channel) => (
        <SelectField
          key={channel.id}
          id={`pref-severity-${channel.id}`}
          label={`Minimum severity for ${channel.name}`}
          value={form.channelMinSeverity[channel.id] ?? ''}
          onValueChange={(level) =>
            set({
              channelMinSeverity: {
                ...form.channelMinSeverity,
                [channel.id]: level as RiskLevel | '',
              },
            })
          }
          options={SEVERITY_OPTIONS}
          errors={errors[`channelMinSeverity.${channel.id}`]}
        />
      ))}
      {errors.channelMinSeverity && (
        <p className="field-error">{errors.channelMinSeverity.join(' ')}</p>
      )}
    </fieldset>
  );
}

function PreferencesEditor({ initial }: { initial: NotificationPreferences }) {
  const cameras = useCameras((s) => s.cameras);
  const channels = useChannels((s) => s.channels);
  const [form, setForm] = useState(() => preferencesFormFrom(initial));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState('');

  const set: SetPrefs = (patch) => {
    setForm((prev) => ({ ...prev, ...patch }));
    setMessage('');
  };

  const save = async () => {
    const built = preferencesPatchFrom(form);
    if ('errors' in built) {
      setErrors({ fields: built.errors, form: null });
      return;
    }
    setSaving(true);
    setErrors(NO_ERRORS);
    try {
      const saved = await api.invoke('notify.preferences.update', built.patch);
      setForm(preferencesFormFrom(saved));
      setMessage('Preferences saved');
    } catch (err) {
      setErrors(formErrorsFrom(err, preferencesFieldKeys(channels.map((c) => c.id))));
    } finally {
      setSaving(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setMessage('');
    if (!saving) void save();
  };

  const fe = errors.fields;
  return (
    <form
      aria-label="Notification preferences"
      className="form panel preferences-form"
      onSubmit={onSubmit}
      noValidate
    >
      <CheckboxGroup
        id="pref-muted"
        legend="Muted cameras"
        choices={cameras.map((c) => ({ value: c.id, label: c.name }))}
        selected={form.mutedCameraIds}
        onSelectedChange={(mutedCameraIds) => set({ mutedCameraIds })}
        errors={fe.mutedCameraIds}
        hint="Alerts from muted cameras are still listed but not sent."
        emptyText="No cameras yet."
      />
      <CheckboxField
        id="pref-quiet-on"
        label="Quiet hours"
        checked={form.quietOn}
        onCheckedChange={(quietOn) => set({ quietOn })}
        errors={fe.quietHours}
        hint="During quiet hours nothing is sent; the deliveries are logged as suppressed."
      />
      {form.quietOn && (
        <TimeWindowFields
          idPrefix="pref-quiet"
          value={form}
          onChange={set}
          startLabel="From"
          endLabel="To"
          errors={{
            days: fe['quietHours.days'],
            start: fe['quietHours.start'],
            end: fe['quietHours.end'],
            timezone: fe['quietHours.timezone'],
          }}
        />
      )}
      <TextField
        id="pref-max-per-hour"
        label="Maximum per hour (per channel)"
        type="number"
        min={1}
        max={10000}
        step={1}
        value={form.maxPerHour}
        onValueChange={(maxPerHour) => set({ maxPerHour })}
        errors={fe.maxPerHour}
        hint="Beyond this, a channel's deliveries are folded into one digest. Empty: unlimited."
      />
      <ChannelSeverityFields form={form} set={set} errors={fe} />
      {errors.form && (
        <p className="notice notice-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          Save preferences
        </button>
        <p role="status" className="status-line">
          {message}
        </p>
      </div>
    </form>
  );
}

/** Loads the preferences, then edits them (a load failure offers to try again). */
export function PreferencesForm() {
  const reconnects = useConnection((s) => s.reconnects);
  const [prefs, setPrefs] = useState<NotificationPreferences | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    api.invoke('notify.preferences.get', {}).then(
      (result) => {
        if (!live) return;
        setPrefs(result);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [reconnects, attempt]);

  return (
    <section className="preferences" aria-labelledby="preferences-title">
      <h3 id="preferences-title">Preferences</h3>
      {error && !prefs && (
        <div className="notice notice-error" role="alert">
          <p>Could not load notification preferences: {error}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => setAttempt((n) => n + 1)}
          >
            Try again
          </button>
        </div>
      )}
      {!prefs && !error && <p className="muted">Loading preferences…</p>}
      {prefs && <PreferencesEditor key={JSON.stringify(prefs)} initial={prefs} />}
    </section>
  );
}
