/**
 * Settings → Integrations: the MQTT connection, TLS, Home Assistant discovery and Frigate's
 * topics, saved like the other settings; "Test connection" tries the values as typed.
 */
import { useMemo, useState } from 'react';
import { useFormContext } from 'react-hook-form';
import type { MqttTestResult } from '../../src-shared/mqtt';
import type { Settings, SettingsPatch } from '../../src-shared/settings';
import { useApi } from '../app-context';
import { FormCheckbox, FormSelect, FormText } from '../forms/fields';
import { Form, FormProblem, SaveActions } from '../forms/Form';
import { useSavedEditor } from '../forms/saved-editor';
import type { MqttSettingsForm as V } from '../mqtt-settings-form';
import {
  MQTT_FIELD_KEYS,
  QOS_CHOICES,
  mqttFormFrom,
  mqttFormSchema,
  mqttTestInput,
} from '../mqtt-settings-form';
import { keys } from '../server-state';
import { ErrorNotice } from './ErrorNotice';

type TestState =
  | { state: 'idle' }
  | { state: 'testing' }
  | { state: 'ok'; result: MqttTestResult }
  | { state: 'failed'; error: unknown };

/** Connects to the broker with the form's values as they are now (saved or not). */
function TestConnection() {
  const api = useApi();
  const { getValues } = useFormContext<V>();
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const run = () => {
    setTest({ state: 'testing' });
    api.invoke('mqtt.test', mqttTestInput(getValues())).then(
      (result) => setTest({ state: 'ok', result }),
      (error: unknown) => setTest({ state: 'failed', error }),
    );
  };
  return (
    <>
      <div className="form-actions">
        <button type="button" className="button" disabled={test.state === 'testing'} onClick={run}>
          Test connection
        </button>
        {/* Not the form's own status line (that one says whether it saved). */}
        <p role="status" className="status-line" data-testid="mqtt-test-status">
          {test.state === 'testing'
            ? 'Connecting…'
            : test.state === 'ok'
              ? `Connected to ${test.result.url} in ${test.result.latencyMs} ms`
              : ''}
        </p>
      </div>
      {test.state === 'failed' && <ErrorNotice error={test.error} prefix="No connection" />}
    </>
  );
}

export function MqttSettingsForm({ saved }: { saved: Settings }) {
  const api = useApi();
  const schema = useMemo(() => mqttFormSchema(saved), [saved]);
  const { form, formProps, saving, message, setMessage, submit } = useSavedEditor({
    saved,
    toForm: mqttFormFrom,
    schema,
    queryKey: keys.settings,
    fieldKeys: MQTT_FIELD_KEYS,
  });
  const save = (patch: SettingsPatch) =>
    submit(() => api.invoke('system.settings.update', patch), 'MQTT settings saved');

  return (
    <Form
      {...formProps}
      onValid={save}
      aria-labelledby="mqtt-form-title"
      className="form settings-form"
    >
      <h3 id="mqtt-form-title">MQTT and Home Assistant</h3>
      <p className="muted">
        Publishes activity, alerts, counts and snapshots to an MQTT broker, takes commands from it,
        and announces the cameras to Home Assistant.
      </p>
      <fieldset className="panel">
        <legend>Broker</legend>
        <FormCheckbox<V>
          name="mqtt.enabled"
          id="mqtt-enabled"
          label="MQTT enabled"
          hint="Off: nothing is published and the app does not connect."
        />
        <FormText<V>
          name="mqtt.url"
          id="mqtt-url"
          label="Broker address"
          type="url"
          hint="mqtt://host:1883, mqtts://host:8883 (TLS), or ws:// / wss:// for MQTT over WebSocket."
          spellCheck={false}
          autoComplete="off"
        />
        <div className="field-pair">
          <FormText<V>
            name="mqtt.username"
            id="mqtt-username"
            label="Username"
            hint="Only for brokers that ask for a login."
            spellCheck={false}
            autoComplete="off"
          />
          <FormText<V>
            name="mqtt.password"
            id="mqtt-password"
            label="Password"
            type="password"
            hint="A saved password is never shown: leave it to keep it, clear it to remove it."
            autoComplete="new-password"
            spellCheck={false}
          />
        </div>
        <div className="field-pair">
          <FormText<V>
            name="mqtt.clientId"
            id="mqtt-client-id"
            label="Client id"
            placeholder="chosen at start"
            hint="Empty: hsi- and a random part, chosen each time the app starts."
            spellCheck={false}
            autoComplete="off"
          />
          <FormText<V>
            name="mqtt.baseTopic"
            id="mqtt-base-topic"
            label="Base topic"
            hint="Every topic the app publishes starts with this, e.g. hsi/available."
            spellCheck={false}
            autoComplete="off"
          />
        </div>
        <div className="field-pair">
          <FormSelect<V>
            name="mqtt.qos"
            id="mqtt-qos"
            label="Quality of service (QoS)"
            options={QOS_CHOICES}
            hint="For events, alerts and state topics."
          />
          <FormText<V>
            name="mqtt.queueLimit"
            id="mqtt-queue-limit"
            label="Messages kept while offline"
            type="number"
            min={10}
            max={100000}
            step={10}
            hint="Kept on disk while the broker is away and sent in order after; the oldest go first."
          />
        </div>
        <TestConnection />
      </fieldset>
      <fieldset className="panel">
        <legend>TLS</legend>
        <p className="field-hint">
          For mqtts:// and wss:// addresses. Files in PEM format, on this computer.
        </p>
        <FormText<V>
          name="mqtt.tls.caFile"
          id="mqtt-tls-ca"
          label="CA certificate file"
          hint="The certificate authority that signed the broker's certificate, if not a public one."
          spellCheck={false}
          autoComplete="off"
        />
        <div className="field-pair">
          <FormText<V>
            name="mqtt.tls.certFile"
            id="mqtt-tls-cert"
            label="Client certificate file"
            hint="Only for brokers that ask for one."
            spellCheck={false}
            autoComplete="off"
          />
          <FormText<V>
            name="mqtt.tls.keyFile"
            id="mqtt-tls-key"
            label="Client key file"
            spellCheck={false}
            autoComplete="off"
          />
        </div>
        <FormCheckbox<V>
          name="mqtt.tls.rejectUnauthorized"
          id="mqtt-tls-verify"
          label="Check the broker's certificate"
          hint="Turn off only for a broker with a self-signed certificate you cannot add as CA."
        />
      </fieldset>
      <fieldset className="panel">
        <legend>Home Assistant and Frigate</legend>
        <FormCheckbox<V>
          name="mqtt.discovery.enabled"
          id="mqtt-discovery"
          label="Home Assistant discovery"
          hint="Announces this app and each camera as devices, so Home Assistant adds them itself."
        />
        <FormText<V>
          name="mqtt.discovery.prefix"
          id="mqtt-discovery-prefix"
          label="Discovery prefix"
          hint="Home Assistant's discovery prefix: homeassistant unless you changed it there."
          spellCheck={false}
          autoComplete="off"
        />
        <FormCheckbox<V>
          name="mqtt.frigateCompatible"
          id="mqtt-frigate"
          label="Also publish Frigate's topics"
          hint="Events and counts under frigate/… as well, for automations and cards made for Frigate."
        />
      </fieldset>
      <FormProblem />
      <SaveActions
        saving={saving}
        message={message}
        onDiscard={() => {
          form.reset(mqttFormFrom(saved));
          setMessage('');
        }}
      />
    </Form>
  );
}
