import type { HandlersFor } from '../common/handlers';
import type { ChannelService } from './channel-service';
import type { DeliveryOutbox } from './delivery-outbox';
import type { PreferencesRepository } from './preferences-repository';

export function notifyHandlers(d: {
  channels: ChannelService;
  outbox: DeliveryOutbox;
  preferences: PreferencesRepository;
}): HandlersFor<
  | 'notify.channels.list'
  | 'notify.channels.create'
  | 'notify.channels.update'
  | 'notify.channels.delete'
  | 'notify.channels.test'
  | 'notify.preferences.get'
  | 'notify.preferences.update'
  | 'notify.deliveries.list'
  | 'notify.deliveries.retry'
> {
  return {
    'notify.channels.list': () => d.channels.list(),
    'notify.channels.create': (input) => d.channels.create(input),
    'notify.channels.update': (input) => d.channels.update(input),
    'notify.channels.delete': ({ id }) => d.channels.delete(id),
    'notify.channels.test': ({ id }) => d.outbox.test(id),
    'notify.preferences.get': () => d.preferences.get(),
    'notify.preferences.update': (patch) => d.preferences.update(patch),
    'notify.deliveries.list': (filter) => d.outbox.list(filter),
    'notify.deliveries.retry': ({ id }) => d.outbox.retry(id),
  };
}
