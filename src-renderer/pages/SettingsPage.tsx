import { useMemo } from 'react';
import type { Settings, SettingsPatch } from '../../src-shared/settings';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import {
  DETECTION_SERVER_HREF,
  DetectionServerSettings,
} from '../components/DetectionServerSettings';
import { DetectorSettingsFields } from '../components/DetectorSettingsFields';
import { IngestSettingsFields } from '../components/IngestSettingsFields';
import { INTEGRATIONS_HREF, IntegrationsSettings } from '../components/IntegrationsSettings';
import { LlmSettingsFields } from '../components/LlmSettingsFields';
import { NotificationSettings } from '../components/NotificationSettings';
import { SubNav } from '../components/SubNav';
import { FormCheckbox, FormText } from '../forms/fields';
import { Form, FormProblem, SaveActions } from '../forms/Form';
import { useSavedEditor } from '../forms/saved-editor';
import { useSettings } from '../queries';
import { routeHref, subPageFromHash, useHash } from '../routes';
import { keys } from '../server-state';
import { restartSetup } from '../setup-state';
import type { SettingsForm as V } from '../settings-form';
import { SETTINGS_FIELD_KEYS, formFrom, settingsFormSchema } from '../settings-form';

interface EditorProps {
  saved: Settings;
}

function SettingsEditor({ saved }: EditorProps) {
  const api = useApi();
  const schema = useMemo(() => settingsFormSchema(saved), [saved]);
  const { form, formProps, saving, message, setMessage, submit } = useSavedEditor({
    saved,
    toForm: formFrom,
    schema,
    queryKey: keys.settings,
    fieldKeys: SETTINGS_FIELD_KEYS,
  });
  const save = (patch: SettingsPatch) =>
    submit(() => api.invoke('system.settings.update', patch), 'Settings saved');

  return (
    <Form {...formProps} onValid={save} aria-label="Settings form" className="form settings-form">
      <fieldset className="panel">
        <legend>General</legend>
        <FormCheckbox<V>
          name="debug"
          id="settings-debug"
          label="Debug mode"
          hint="Turns on the Debug page and its channels: the configuration (secrets hidden), logs, and a recording of every call with its input and output. Anyone holding this app's access token can read them: leave it off when you are not debugging."
        />
        <FormText<V>
          name="retentionDays"
          id="settings-retention"
          label="Retention days"
          type="number"
          min={1}
          max={3650}
          step={1}
          hint="Events, detections and snapshots older than this are deleted."
        />
      </fieldset>
      <fieldset className="panel">
        <legend>Detection</legend>
        <FormText<V>
          name="detector.confidence"
          id="settings-confidence"
          label="Detection confidence"
          type="number"
          min={0}
          max={1}
          step={0.01}
          hint="From 0 to 1: detections below this confidence are ignored."
        />
        <FormText<V>
          name="cameras.offlineAfterSeconds"
          id="settings-offline-after"
          label="Camera offline after (seconds)"
          type="number"
          min={0}
          step={1}
          hint="A camera with no new snapshot for this long is shown as offline."
        />
      </fieldset>
      <IngestSettingsFields />
      <DetectorSettingsFields />
      <LlmSettingsFields />
      <FormProblem />
      <SaveActions
        saving={saving}
        message={message}
        onDiscard={() => {
          form.reset(formFrom(saved));
          setMessage('');
        }}
      />
    </Form>
  );
}

export const NOTIFICATIONS_HREF = '#/settings/notifications';

function GeneralSettings() {
  const query = useSettings();
  return (
    <>
      {query.isError && (
        <p className="notice notice-error" role="alert">
          Could not load settings: {errorMessage(query.error)}
        </p>
      )}
      {query.isPending && <p className="muted">Loading settings…</p>}
      {query.data && <SettingsEditor saved={query.data} />}
    </>
  );
}

/**
 * `#/settings`: the app settings; `#/settings/notifications`: channels and preferences;
 * `#/settings/integrations`: MQTT and Home Assistant; `#/settings/detection-server`: this
 * computer's detector served to other machines.
 */
export function SettingsPage() {
  const hash = useHash();
  const section = subPageFromHash(hash, 'settings');
  const notifications = section === 'notifications';
  const integrations = section === 'integrations';
  const detectionServer = section === 'detection-server';

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Settings</h1>
        <a href={routeHref('setup')} className="button" onClick={restartSetup}>
          Run setup again
        </a>
      </header>
      <SubNav
        label="Settings sections"
        links={[
          {
            href: routeHref('settings'),
            label: 'General',
            current: !notifications && !integrations && !detectionServer,
          },
          { href: NOTIFICATIONS_HREF, label: 'Notifications', current: notifications },
          { href: INTEGRATIONS_HREF, label: 'Integrations', current: integrations },
          { href: DETECTION_SERVER_HREF, label: 'Detection server', current: detectionServer },
        ]}
      />
      {notifications ? (
        <NotificationSettings />
      ) : integrations ? (
        <IntegrationsSettings />
      ) : detectionServer ? (
        <DetectionServerSettings />
      ) : (
        <GeneralSettings />
      )}
    </section>
  );
}
