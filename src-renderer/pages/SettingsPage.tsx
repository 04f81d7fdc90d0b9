import type { FormEvent } from 'react';
import { useEffect, useState } from 'react';
import type { Settings, SettingsPatch } from '../../src-shared/settings';
import { api, errorMessage } from '../api';
import { DetectorSettingsFields } from '../components/DetectorSettingsFields';
import { CheckboxField, TextField } from '../components/Field';
import { IngestSettingsFields } from '../components/IngestSettingsFields';
import { NotificationSettings } from '../components/NotificationSettings';
import { SubNav } from '../components/SubNav';
import type { FormErrors } from '../form-errors';
import { NO_ERRORS, formErrorsFrom } from '../form-errors';
import type { SetField } from '../settings-form';
import { PATHS, buildPatch, formFrom, sameForm } from '../settings-form';
import { routeHref, subPageFromHash, useHash } from '../routes';
import { useConnection } from '../stores/connection';

interface EditorProps {
  initial: Settings;
}

function SettingsEditor({ initial }: EditorProps) {
  const [{ saved, form }, setState] = useState(() => ({
    saved: initial,
    form: formFrom(initial),
  }));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState('');

  // Another window (or the CLI) changed settings: follow it unless there are unsaved edits.
  useEffect(
    () =>
      api.on('settings.updated', (next) => {
        setState((prev) => ({
          saved: next,
          form: sameForm(prev.form, formFrom(prev.saved)) ? formFrom(next) : prev.form,
        }));
      }),
    [],
  );

  const set: SetField = (key, value) => {
    setState((prev) => ({ ...prev, form: { ...prev.form, [key]: value } }));
    setMessage('');
  };

  const save = async (patch: SettingsPatch) => {
    setSaving(true);
    try {
      const next = await api.invoke('system.settings.update', patch);
      setState({ saved: next, form: formFrom(next) });
      setErrors(NO_ERRORS);
      setMessage('Settings saved');
    } catch (err) {
      setErrors(formErrorsFrom(err, Object.values(PATHS)));
    } finally {
      setSaving(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    setMessage('');
    const result = buildPatch(saved, form);
    if ('errors' in result) {
      setErrors({ fields: result.errors, form: null });
      return;
    }
    void save(result.patch);
  };

  const fe = errors.fields;
  return (
    <form aria-label="Settings form" className="form settings-form" onSubmit={onSubmit} noValidate>
      <fieldset className="panel">
        <legend>General</legend>
        <CheckboxField
          id="settings-debug"
          label="Debug mode"
          checked={form.debug}
          onCheckedChange={(v) => set('debug', v)}
          errors={fe[PATHS.debug]}
          hint="Turns on the debug channels (config, pipeline, logs, recordings)."
        />
        <TextField
          id="settings-retention"
          label="Retention days"
          type="number"
          min={1}
          max={3650}
          step={1}
          value={form.retentionDays}
          onValueChange={(v) => set('retentionDays', v)}
          errors={fe[PATHS.retentionDays]}
          hint="Events, detections and snapshots older than this are deleted."
        />
      </fieldset>
      <fieldset className="panel">
        <legend>Detection</legend>
        <TextField
          id="settings-confidence"
          label="Detection confidence"
          type="number"
          min={0}
          max={1}
          step={0.01}
          value={form.confidence}
          onValueChange={(v) => set('confidence', v)}
          errors={fe[PATHS.confidence]}
          hint="From 0 to 1: detections below this confidence are ignored."
        />
        <TextField
          id="settings-offline-after"
          label="Camera offline after (seconds)"
          type="number"
          min={0}
          step={1}
          value={form.offlineAfterSeconds}
          onValueChange={(v) => set('offlineAfterSeconds', v)}
          errors={fe[PATHS.offlineAfterSeconds]}
          hint="A camera with no new snapshot for this long is shown as offline."
        />
      </fieldset>
      <IngestSettingsFields form={form} set={set} errors={fe} />
      <DetectorSettingsFields form={form} set={set} errors={fe} />
      <fieldset className="panel">
        <legend>Language model</legend>
        <CheckboxField
          id="settings-llm-enabled"
          label="LLM enabled"
          checked={form.llmEnabled}
          onCheckedChange={(v) => set('llmEnabled', v)}
          errors={fe[PATHS.llmEnabled]}
          hint="Off: events are scored by the built-in rules only."
        />
        <TextField
          id="settings-llm-base-url"
          label="LLM base URL"
          type="url"
          value={form.llmBaseUrl}
          onValueChange={(v) => set('llmBaseUrl', v)}
          errors={fe[PATHS.llmBaseUrl]}
          hint="An OpenAI-compatible server, e.g. http://127.0.0.1:8080"
          spellCheck={false}
          autoComplete="off"
        />
        <TextField
          id="settings-llm-model"
          label="LLM model"
          value={form.llmModel}
          onValueChange={(v) => set('llmModel', v)}
          errors={fe[PATHS.llmModel]}
          spellCheck={false}
          autoComplete="off"
        />
      </fieldset>
      {errors.form && (
        <p className="notice notice-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          Save
        </button>
        <button
          type="button"
          className="button"
          disabled={saving || sameForm(form, formFrom(saved))}
          onClick={() => {
            setState({ saved, form: formFrom(saved) });
            setErrors(NO_ERRORS);
            setMessage('');
          }}
        >
          Discard changes
        </button>
        <p role="status" className="status-line">
          {message}
        </p>
      </div>
    </form>
  );
}

export const NOTIFICATIONS_HREF = '#/settings/notifications';

function GeneralSettings() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reconnects = useConnection((s) => s.reconnects);

  useEffect(() => {
    let live = true;
    api.invoke('system.settings.get', {}).then(
      (result) => {
        if (!live) return;
        setSettings(result);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [reconnects]);

  return (
    <>
      {error && (
        <p className="notice notice-error" role="alert">
          Could not load settings: {error}
        </p>
      )}
      {!settings && !error && <p className="muted">Loading settings…</p>}
      {settings && <SettingsEditor initial={settings} />}
    </>
  );
}

/** `#/settings`: the app settings; `#/settings/notifications`: channels and preferences. */
export function SettingsPage() {
  const hash = useHash();
  const notifications = subPageFromHash(hash, 'settings') === 'notifications';

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Settings</h1>
      </header>
      <SubNav
        label="Settings sections"
        links={[
          { href: routeHref('settings'), label: 'General', current: !notifications },
          { href: NOTIFICATIONS_HREF, label: 'Notifications', current: notifications },
        ]}
      />
      {notifications ? <NotificationSettings /> : <GeneralSettings />}
    </section>
  );
}
