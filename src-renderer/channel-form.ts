/**
 * The notification channel form: the fields of every kind as the inputs hold them, and the
 * create / update input they make. Stored secrets come back as "[REDACTED]"; sending that back
 * keeps them, so a secret is only sent when the person types a new one (or removes it).
 */
import { z } from 'zod';
import type { ChannelInput } from '../src-shared/contract';
import { channelCreateSchema } from '../src-shared/contract';
import type { ChannelKind, NotificationChannel } from '../src-shared/domain';
import { CHANNEL_KINDS } from '../src-shared/domain';
import { REDACTED } from '../src-shared/settings';
import { parseList } from './settings-form';

export type EmailSecurity = 'starttls' | 'tls' | 'none';

const channelForm = z.object({
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  enabled: z.boolean(),
  config: z.object({
    url: z.string(),
    secret: z.string(),
    removeSecret: z.boolean(),
    timeoutMs: z.string(),
    host: z.string(),
    port: z.string(),
    security: z.enum(['starttls', 'tls', 'none']),
    user: z.string(),
    password: z.string(),
    removePassword: z.boolean(),
    from: z.string(),
    to: z.string(),
    topic: z.string(),
    retain: z.boolean(),
  }),
});

/** Every kind's fields as the inputs hold them (the config's shape, text for numbers). */
export type ChannelForm = z.input<typeof channelForm>;

export const KIND_LABELS: Record<ChannelKind, string> = {
  webhook: 'Webhook',
  email: 'Email',
  desktop: 'Desktop',
  mqtt: 'MQTT',
};

export const SECURITY_LABELS: Record<EmailSecurity, string> = {
  starttls: 'STARTTLS',
  tls: 'TLS',
  none: 'None',
};

export const WEBHOOK_TIMEOUT_MS = 5000;
export const SMTP_PORT = 587;

/** Issue path → field key (create issues are under `config`, update issues are normalised). */
export const CHANNEL_FIELD_KEYS = [
  'kind',
  'name',
  'enabled',
  'config.url',
  'config.secret',
  'config.timeoutMs',
  'config.host',
  'config.port',
  'config.security',
  'config.user',
  'config.password',
  'config.from',
  'config.to',
  'config.topic',
  'config.retain',
  'config',
] as const;

const TOP_LEVEL = new Set(['id', 'kind', 'name', 'enabled', 'config']);

/** `['url']` (an update's config issue) → `['config','url']`. */
export function channelIssuePath(path: (string | number)[]): (string | number)[] {
  const head = path[0];
  return typeof head === 'string' && !TOP_LEVEL.has(head) ? ['config', ...path] : path;
}

export function emptyChannelForm(): ChannelForm {
  return {
    kind: 'webhook',
    name: '',
    enabled: true,
    config: {
      url: '',
      secret: '',
      removeSecret: false,
      timeoutMs: String(WEBHOOK_TIMEOUT_MS),
      host: '',
      port: String(SMTP_PORT),
      security: 'starttls',
      user: '',
      password: '',
      removePassword: false,
      from: '',
      to: '',
      topic: '',
      retain: false,
    },
  };
}

function text(config: Record<string, unknown>, key: string): string {
  const value = config[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** Whether the stored channel has this secret (it reads "[REDACTED]"). */
export function hasStoredSecret(channel: NotificationChannel | null, key: string): boolean {
  return channel?.config[key] === REDACTED;
}

export function channelFormFrom(channel: NotificationChannel): ChannelForm {
  const c = channel.config;
  const empty = emptyChannelForm();
  const security = text(c, 'security');
  const to = c.to;
  return {
    kind: channel.kind,
    name: channel.name,
    enabled: channel.enabled,
    config: {
      ...empty.config,
      url: text(c, 'url'),
      timeoutMs:
        channel.kind === 'webhook'
          ? text(c, 'timeoutMs') || empty.config.timeoutMs
          : empty.config.timeoutMs,
      host: text(c, 'host'),
      port: text(c, 'port') || empty.config.port,
      security: security === 'tls' || security === 'none' ? security : 'starttls',
      user: text(c, 'user'),
      from: text(c, 'from'),
      to: Array.isArray(to) ? to.filter((t): t is string => typeof t === 'string').join(', ') : '',
      topic: text(c, 'topic'),
      retain: c.retain === true,
    },
  };
}

/** The secret to send: a new one, the stored one kept ("[REDACTED]"), or none. */
function secretValue(typed: string, remove: boolean, stored: boolean): string | undefined {
  if (typed !== '') return typed;
  if (stored && !remove) return REDACTED;
  return undefined;
}

type CreateInput = ChannelInput<'notify.channels.create'>;
type WebhookConfig = Extract<CreateInput, { kind: 'webhook' }>['config'];
type EmailConfig = Extract<CreateInput, { kind: 'email' }>['config'];

function whole(value: string, path: string[], ctx: z.RefinementCtx): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isInteger(n)) {
    ctx.addIssue({ code: 'custom', path, message: 'Enter a whole number' });
    return 0;
  }
  return n;
}

/**
 * The form → the channel it describes (create input; an update sends its config), checked by
 * the contract's schema. `existing`: the channel being edited, whose stored secrets are kept
 * unless a new one is typed or removal is ticked.
 */
export function channelFormSchema(existing: NotificationChannel | null) {
  return channelForm
    .transform((f, ctx): CreateInput => {
      const base = { name: f.name, enabled: f.enabled };
      const c = f.config;
      if (f.kind === 'webhook') {
        const config: WebhookConfig = {
          url: c.url.trim(),
          timeoutMs: whole(c.timeoutMs, ['config', 'timeoutMs'], ctx),
        };
        const secret = secretValue(c.secret, c.removeSecret, hasStoredSecret(existing, 'secret'));
        if (secret !== undefined) config.secret = secret;
        return { kind: 'webhook', ...base, config };
      }
      if (f.kind === 'email') {
        const config: EmailConfig = {
          host: c.host.trim(),
          port: whole(c.port, ['config', 'port'], ctx),
          security: c.security,
          from: c.from.trim(),
          to: parseList(c.to),
        };
        if (c.user.trim()) config.user = c.user.trim();
        const password = secretValue(
          c.password,
          c.removePassword,
          hasStoredSecret(existing, 'password'),
        );
        if (password !== undefined) config.password = password;
        // Not on the form: keep what is stored.
        const timeout = existing?.config.timeoutMs;
        if (typeof timeout === 'number') config.timeoutMs = timeout;
        return { kind: 'email', ...base, config };
      }
      if (f.kind === 'mqtt') {
        return { kind: 'mqtt', ...base, config: { topic: c.topic.trim(), retain: c.retain } };
      }
      return { kind: 'desktop', ...base, config: {} };
    })
    .pipe(channelCreateSchema);
}
