import type { ChannelName, ChannelOutput, ChannelParsedInput } from '../../src-shared/contract';
import { CHANNEL_NAMES } from '../../src-shared/contract';

export interface CallContext {
  correlationId: string;
  transport: 'ipc' | 'http' | 'internal' | 'mqtt';
}

export type Handler<C extends ChannelName> = (
  input: ChannelParsedInput<C>,
  ctx: CallContext,
) => Promise<ChannelOutput<C>> | ChannelOutput<C>;

/** Every channel in the contract with exactly one handler. */
export type Handlers = { [C in ChannelName]: Handler<C> };

/** A domain's slice of the contract: the handlers for exactly these channels. */
export type HandlersFor<K extends ChannelName> = { [C in K]: Handler<C> };

/**
 * The union of the domains' slices. A channel handled twice, or not at all, is a wiring
 * mistake caught at start (the types catch most of them already).
 */
export function mergeHandlers(...slices: Partial<Handlers>[]): Handlers {
  const all: Partial<Record<ChannelName, unknown>> = {};
  for (const slice of slices) {
    for (const [name, handler] of Object.entries(slice)) {
      if (name in all) throw new Error(`Channel ${name} has two handlers`);
      all[name as ChannelName] = handler;
    }
  }
  const missing = CHANNEL_NAMES.filter((name) => !(name in all));
  if (missing.length) throw new Error(`No handler for ${missing.join(', ')}`);
  return all as Handlers;
}
