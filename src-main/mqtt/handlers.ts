import { AppError } from '../../src-shared/errors';
import { REDACTED } from '../../src-shared/settings';
import type { HandlersFor } from '../common/handlers';
import { redactUrl } from '../common/redact';
import type { MqttLink, MqttSettings } from './mqtt-link';
import { testConnection } from './mqtt-link';

export function mqttHandlers(d: {
  link: MqttLink;
  settings: () => MqttSettings;
}): HandlersFor<'mqtt.status' | 'mqtt.messages' | 'mqtt.test'> {
  return {
    'mqtt.status': () => d.link.status(),
    'mqtt.messages': () => d.link.messages(),
    'mqtt.test': async (input) => {
      const saved = d.settings();
      const url = input.url ?? saved.url;
      // The saved password goes to the saved broker only, never to another address.
      const savedPassword = input.password === undefined || input.password === REDACTED;
      const sameBroker = new URL(url).host === new URL(saved.url).host;
      const settings: MqttSettings = {
        ...saved,
        url,
        username: input.username ?? saved.username,
        password: savedPassword ? (sameBroker ? saved.password : undefined) : input.password,
        clientId: input.clientId ?? saved.clientId,
        tls: { ...saved.tls, ...input.tls },
      };
      try {
        return { url: redactUrl(url), latencyMs: await testConnection(settings) };
      } catch (err) {
        throw new AppError(
          'unavailable',
          `Cannot connect to ${redactUrl(url)}: ${redactUrl((err as Error).message)}`,
        );
      }
    },
  };
}
