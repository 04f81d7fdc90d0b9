/** MQTT and Home Assistant: the connection, what the app publishes, commands, discovery. */
import type { Camera, Zone } from '../../src-shared/domain';
import type { DomainEventBus, Publish } from '../common/domain-events';
import { appVersion } from '../common/version';
import type { Logger, SettingsService } from '../system';
import { mqttHandlers } from './handlers';
import type { BridgeStats, Invoke } from './mqtt-bridge';
import { MqttBridge } from './mqtt-bridge';
import { MqttLink } from './mqtt-link';
import { MqttService } from './mqtt-service';
import type { MqttQueueRepository } from './queue-repository';
import { mqttSender } from './sender';

export { MqttBridge } from './mqtt-bridge';
export { MqttLink } from './mqtt-link';
export { MqttService } from './mqtt-service';
export { mqttQueueRepository } from './queue-repository';
export type { MqttQueueRepository } from './queue-repository';

/** The MQTT module: its connection, bridge, service, channel handlers and channel sender. */
export function createMqtt(d: {
  queue: MqttQueueRepository;
  settings: SettingsService;
  bus: DomainEventBus;
  publish: Publish;
  logger: Logger;
  cameras: { list(): Promise<Camera[]> };
  zones: { listForCamera(cameraId: string): Promise<Zone[]> };
  snapshot: (imageId: number) => Promise<Buffer>;
  invoke: Invoke;
  stats: () => Promise<BridgeStats>;
}) {
  const settings = () => d.settings.get().mqtt;
  const link: MqttLink = new MqttLink({
    settings,
    queue: d.queue,
    logger: d.logger,
    subscriptions: () => bridge.subscriptions(),
    onMessage: (topic, payload) => bridge.handle(topic, payload),
    onLive: () => bridge.announce(),
    onStatus: (s) => d.publish('mqtt.changed', s),
  });
  const bridge: MqttBridge = new MqttBridge({ ...d, link, settings, version: appVersion() });
  return {
    link,
    bridge,
    service: new MqttService({ link, bridge, bus: d.bus }),
    handlers: mqttHandlers({ link, settings }),
    sender: mqttSender(link),
  };
}
