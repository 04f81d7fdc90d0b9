import { errorMessage } from '../api';
import { useSettings } from '../queries';
import { MqttActivity } from './MqttActivity';
import { MqttSettingsForm } from './MqttSettingsForm';

export const INTEGRATIONS_HREF = '#/settings/integrations';

/** `#/settings/integrations`: MQTT and Home Assistant — the settings, the connection, the traffic. */
export function IntegrationsSettings() {
  const query = useSettings();
  return (
    <section className="integrations-settings" aria-labelledby="integrations-title">
      <h2 id="integrations-title">Integrations</h2>
      <p className="page-intro">
        Other systems this app talks to: an MQTT broker, and Home Assistant or Frigate tools through
        it.
      </p>
      {query.isError && (
        <p className="notice notice-error" role="alert">
          Could not load settings: {errorMessage(query.error)}
        </p>
      )}
      {query.isPending && <p className="muted">Loading settings…</p>}
      {query.data && <MqttSettingsForm saved={query.data} />}
      <MqttActivity />
    </section>
  );
}
