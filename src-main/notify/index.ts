/** Notifications: channels, preferences and the delivery outbox (email, webhook, desktop, MQTT). */
export { channelRepository } from './channel-repository';
export type { ChannelRepository } from './channel-repository';
export { ChannelService } from './channel-service';
export { deliveryRepository } from './delivery-repository';
export type { DeliveryRepository } from './delivery-repository';
export { preferencesRepository } from './preferences-repository';
export type { PreferencesRepository } from './preferences-repository';
export { DeliveryOutbox } from './delivery-outbox';
export type { MessageSources, Sender } from './delivery-outbox';
export { keyFileSecretStore } from './secret-box';
export type { SecretStore } from './secret-box';
export { notifyHandlers } from './handlers';
export { SendError, webhookPayload } from './senders';
export type { Notification } from './senders';
