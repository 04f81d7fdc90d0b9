import type { Sender } from '../notify';
import { SendError, webhookPayload } from '../notify';
import type { MqttLink } from './mqtt-link';

/**
 * The `mqtt` notification channel: the webhook's JSON body published to the channel's topic
 * with QoS 1, through the outbox like every channel (its retries, dead letters, preferences
 * and rate limits). Not connected is a failure worth retrying.
 */
export function mqttSender(link: MqttLink): Sender {
  return async (channel, n) => {
    const config = channel.config as { topic: string; retain?: boolean };
    try {
      await link.publishNow({
        topic: config.topic,
        payload: Buffer.from(JSON.stringify(webhookPayload(n))),
        qos: 1,
        retain: config.retain ?? false,
      });
    } catch (err) {
      throw new SendError((err as Error).message, true);
    }
  };
}
