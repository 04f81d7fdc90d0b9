import type { ChannelParsedInput } from '../../src-shared/contract';
import {
  channelCreateSchema,
  emailConfigSchema,
  mqttChannelConfigSchema,
  webhookConfigSchema,
} from '../../src-shared/contract';
import type { ChannelKind, NotificationChannel } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { REDACTED } from '../../src-shared/settings';
import { zodIssues } from '../common/zod-issues';
import type { ChannelRepository } from './channel-repository';

const CONFIG_SCHEMAS = {
  webhook: webhookConfigSchema,
  email: emailConfigSchema,
  desktop: channelCreateSchema.options[2].shape.config,
  mqtt: mqttChannelConfigSchema,
} satisfies Record<ChannelKind, unknown>;

/**
 * A replacement config checked against the channel's kind. A secret sent back as
 * "[REDACTED]" stands for the stored one: it is validated with a placeholder and kept as
 * "[REDACTED]", which the repository reads as "keep what is stored".
 */
export function checkChannelConfig(
  kind: ChannelKind,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const probe = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, v === REDACTED ? 'kept-secret' : v]),
  );
  const parsed = CONFIG_SCHEMAS[kind].safeParse(probe);
  if (!parsed.success) {
    throw new AppError('invalid_input', 'Channel settings are not valid', zodIssues(parsed.error));
  }
  return Object.fromEntries(
    Object.entries(parsed.data as Record<string, unknown>).map(([k, v]) => [
      k,
      config[k] === REDACTED ? REDACTED : v,
    ]),
  );
}

/** Notification channels: email, webhook, desktop and MQTT, secrets sealed at rest. */
export class ChannelService {
  constructor(private readonly channels: ChannelRepository) {}

  list(): Promise<NotificationChannel[]> {
    return this.channels.list();
  }

  create(input: ChannelParsedInput<'notify.channels.create'>): Promise<NotificationChannel> {
    return this.channels.create(input);
  }

  async update({
    id,
    config,
    ...rest
  }: ChannelParsedInput<'notify.channels.update'>): Promise<NotificationChannel> {
    const existing = await this.channels.get(id);
    if (!existing) throw new AppError('not_found', `No channel with id "${id}"`);
    const checked = config ? checkChannelConfig(existing.kind, config) : undefined;
    const channel = await this.channels.update(id, { ...rest, config: checked });
    if (!channel) throw new AppError('not_found', `No channel with id "${id}"`);
    return channel;
  }

  async delete(id: string): Promise<NotificationChannel> {
    const channel = await this.channels.delete(id);
    if (!channel) throw new AppError('not_found', `No channel with id "${id}"`);
    return channel;
  }
}
