/**
 * The notification channel form: the fields of every kind as the inputs hold them, and the
 * create / update input they make. Stored secrets come back as "[REDACTED]"; sending that back
 * keeps them, so a secret is only sent when the person types a new one (or removes it).
 */
import type { ChannelInput } from '../src-shared/contract';
import type { ChannelKind, NotificationChannel } from '../src-shared/domain';
import { REDACTED } from '../src-shared/settings';
import type { FieldErrors } from './form-errors';
import { parseList } from './settings-form';

export type EmailSecurity = 'starttls' | 'tls' | 'none';

export interface ChannelForm {
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  url: string;
  secret: string;
  removeSecret: boolean;
  timeoutMs: string;
  host: string;
  port: string;
  security: EmailSecurity;
  user: string;
  password: string;
  removePassword: boolean;
  from: string;
  to: string;
}

export const KIND_LABELS: Record<ChannelKind, string> = {
  webhook: 'Webhook',
  email: 'Email',
  desktop: 'Desktop',
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
    ...empty,
    kind: channel.kind,
    name: channel.name,
    enabled: channel.enabled,
    url: text(c, 'url'),
    timeoutMs:
      channel.kind === 'webhook' ? text(c, 'timeoutMs') || empty.timeoutMs : empty.timeoutMs,
    host: text(c, 'host'),
    port: text(c, 'port') || empty.port,
    security: security === 'tls' || security === 'none' ? security : 'starttls',
    user: text(c, 'user'),
    from: text(c, 'from'),
    to: Array.isArray(to) ? to.filter((t): t is string => typeof t === 'string').join(', ') : '',
  };
}

/** The secret to send: a new one, the stored one kept ("[REDACTED]"), or none. */
function secretValue(
  typed: string,
  remove: boolean,
  stored: boolean,
): { value: string } | Record<string, never> {
  if (typed !== '') return { value: typed };
  if (stored && !remove) return { value: REDACTED };
  return {};
}

function whole(textValue: string, key: string, errors: FieldErrors): number {
  const n = Number(textValue.trim());
  if (textValue.trim() === '' || !Number.isInteger(n)) {
    errors[key] = ['Enter a whole number'];
    return 0;
  }
  return n;
}

type CreateInput = ChannelInput<'notify.channels.create'>;
type WebhookConfig = Extract<CreateInput, { kind: 'webhook' }>['config'];
type EmailConfig = Extract<CreateInput, { kind: 'email' }>['config'];

/**
 * What the form makes: the create input (a new channel) and the config alone (an update, which
 * cannot change the kind), or the fields that are not numbers.
 */
export function channelInputFrom(
  form: ChannelForm,
  existing: NotificationChannel | null,
): { create: CreateInput; config: Record<string, unknown> } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const base = { name: form.name, enabled: form.enabled };
  let create: CreateInput;
  if (form.kind === 'webhook') {
    const secret = secretValue(form.secret, form.removeSecret, hasStoredSecret(existing, 'secret'));
    const config: WebhookConfig = {
      url: form.url.trim(),
      timeoutMs: whole(form.timeoutMs, 'config.timeoutMs', errors),
    };
    if ('value' in secret) config.secret = secret.value;
    create = { kind: 'webhook', ...base, config };
  } else if (form.kind === 'email') {
    const password = secretValue(
      form.password,
      form.removePassword,
      hasStoredSecret(existing, 'password'),
    );
    const config: EmailConfig = {
      host: form.host.trim(),
      port: whole(form.port, 'config.port', errors),
      security: form.security,
      from: form.from.trim(),
      to: parseList(form.to),
    };
    if (form.user.trim()) config.user = form.user.trim();
    if ('value' in password) config.password = password.value;
    // Not on the form: keep what is stored.
    const timeout = existing?.config.timeoutMs;
    if (typeof timeout === 'number') config.timeoutMs = timeout;
    create = { kind: 'email', ...base, config };
  } else {
    create = { kind: 'desktop', ...base, config: {} };
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { create, config: { ...(create.config ?? {}) } };
}
