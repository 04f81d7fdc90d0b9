import { zodResolver } from '@hookform/resolvers/zod';
import type { RefObject } from 'react';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import type { ChannelInput } from '../../src-shared/contract';
import type { NotificationChannel } from '../../src-shared/domain';
import { CHANNEL_KINDS } from '../../src-shared/domain';
import { REDACTED } from '../../src-shared/settings';
import { useApi } from '../app-context';
import type { ChannelForm as ChannelFormValues } from '../channel-form';
import {
  CHANNEL_FIELD_KEYS,
  KIND_LABELS,
  SECURITY_LABELS,
  channelFormFrom,
  channelFormSchema,
  channelIssuePath,
  emptyChannelForm,
  hasStoredSecret,
} from '../channel-form';
import { FormCheckbox, FormSelect, FormText } from '../forms/fields';
import { Form } from '../forms/Form';
import { INTEGRATIONS_HREF } from './IntegrationsSettings';
import { formMessage, showServerErrors } from '../forms/server-errors';

export const WEBHOOK_HELP =
  "Requests carry Idempotency-Key, X-HSI-Timestamp and, with a secret, X-HSI-Signature: sha256=HMAC(secret, timestamp + '.' + body).";

const KIND_OPTIONS = CHANNEL_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))
  // Webhook first: the usual choice.
  .sort((a, b) => (a.value === 'webhook' ? -1 : b.value === 'webhook' ? 1 : 0));
const SECURITY_OPTIONS = (['starttls', 'tls', 'none'] as const).map((value) => ({
  value,
  label: SECURITY_LABELS[value],
}));

type V = ChannelFormValues;

interface SectionProps {
  channel: NotificationChannel | null;
}

function WebhookFields({ channel }: SectionProps) {
  const stored = hasStoredSecret(channel, 'secret');
  const removeSecret = useWatch<V, 'config.removeSecret'>({ name: 'config.removeSecret' });
  return (
    <>
      <FormText<V>
        name="config.url"
        id="channel-url"
        label="URL"
        type="url"
        hint="An http:// or https:// address that takes a JSON POST."
        autoComplete="off"
        spellCheck={false}
      />
      <FormText<V>
        name="config.secret"
        id="channel-secret"
        label="Signing secret (optional)"
        type="password"
        placeholder={stored && !removeSecret ? REDACTED : undefined}
        hint={
          stored
            ? 'A secret is stored: leave this empty to keep it, or type a new one (8+ characters).'
            : 'At least 8 characters; requests are then signed with it.'
        }
        autoComplete="new-password"
      />
      {stored && (
        <FormCheckbox<V>
          name="config.removeSecret"
          id="channel-remove-secret"
          label="Remove the saved signing key"
        />
      )}
      <FormText<V>
        name="config.timeoutMs"
        id="channel-timeout"
        label="Timeout (ms)"
        type="number"
        min={100}
        max={60000}
        step={100}
      />
      <p className="field-hint webhook-help" data-testid="webhook-help">
        {WEBHOOK_HELP}
      </p>
    </>
  );
}

function EmailFields({ channel }: SectionProps) {
  const stored = hasStoredSecret(channel, 'password');
  const removePassword = useWatch<V, 'config.removePassword'>({ name: 'config.removePassword' });
  return (
    <>
      <div className="field-pair">
        <FormText<V>
          name="config.host"
          id="channel-host"
          label="SMTP host"
          autoComplete="off"
          spellCheck={false}
        />
        <FormText<V>
          name="config.port"
          id="channel-port"
          label="SMTP port"
          type="number"
          min={1}
          max={65535}
          step={1}
        />
      </div>
      <FormSelect<V>
        name="config.security"
        id="channel-security"
        label="Security"
        options={SECURITY_OPTIONS}
        hint="STARTTLS (usually port 587), TLS (465), or None for a relay on this machine only."
      />
      <div className="field-pair">
        <FormText<V>
          name="config.user"
          id="channel-user"
          label="SMTP user"
          autoComplete="off"
          spellCheck={false}
        />
        <FormText<V>
          name="config.password"
          id="channel-password"
          label="SMTP password"
          type="password"
          placeholder={stored && !removePassword ? REDACTED : undefined}
          hint={stored ? 'A password is stored: leave this empty to keep it.' : undefined}
          autoComplete="new-password"
        />
      </div>
      {stored && (
        <FormCheckbox<V>
          name="config.removePassword"
          id="channel-remove-password"
          label="Remove the saved SMTP login password"
        />
      )}
      <FormText<V>
        name="config.from"
        id="channel-from"
        label="From"
        type="email"
        autoComplete="off"
      />
      <FormText<V>
        name="config.to"
        id="channel-to"
        label="To"
        hint="Comma-separated addresses (up to 20)."
        autoComplete="off"
      />
    </>
  );
}

export const MQTT_CHANNEL_HELP =
  "Publishes each alert's JSON (the webhook body) to this topic with QoS 1 through the app's MQTT connection, set in";

function MqttFields() {
  return (
    <>
      <FormText<V>
        name="config.topic"
        id="channel-topic"
        label="Topic"
        hint="A topic like home/alerts (no + or #)."
        autoComplete="off"
        spellCheck={false}
      />
      <FormCheckbox<V>
        name="config.retain"
        id="channel-retain"
        label="Retain the latest alert"
        hint="The broker keeps the last one for subscribers that join later."
      />
      <p className="field-hint" data-testid="mqtt-channel-help">
        {MQTT_CHANNEL_HELP} <a href={INTEGRATIONS_HREF}>Settings → Integrations</a>.
      </p>
    </>
  );
}

interface ChannelFormProps {
  channel: NotificationChannel | null;
  nameRef: RefObject<HTMLInputElement | null>;
  onSaved: (channel: NotificationChannel, created: boolean) => void;
  onCancel: () => void;
}

type CreateInput = ChannelInput<'notify.channels.create'>;

/** Add or edit a notification channel; the fields follow the kind. */
export function ChannelForm({ channel, nameRef, onSaved, onCancel }: ChannelFormProps) {
  const api = useApi();
  const schema = useMemo(() => channelFormSchema(channel), [channel]);
  const form = useForm<V, unknown, CreateInput>({
    defaultValues: channel ? channelFormFrom(channel) : emptyChannelForm(),
    resolver: zodResolver(schema),
  });
  const [saving, setSaving] = useState(false);
  const kind = useWatch({ control: form.control, name: 'kind' });
  const configError = form.formState.errors.config?.message;

  const save = async (input: CreateInput) => {
    setSaving(true);
    try {
      const saved = channel
        ? await api.invoke('notify.channels.update', {
            id: channel.id,
            name: input.name,
            enabled: input.enabled,
            config: { ...input.config },
          })
        : await api.invoke('notify.channels.create', input);
      setSaving(false);
      onSaved(saved, !channel);
    } catch (err) {
      showServerErrors(form, err, CHANNEL_FIELD_KEYS, channelIssuePath);
      setSaving(false);
    }
  };

  const message = [formMessage(form), configError].filter(Boolean).join(' ');
  return (
    <Form
      form={form}
      onValid={save}
      busy={saving}
      aria-label="Channel form"
      className="form channel-form panel"
    >
      <h4 className="form-title">{channel ? `Edit channel ${channel.name}` : 'New channel'}</h4>
      <FormSelect<V>
        name="kind"
        id="channel-kind"
        label="Kind"
        options={KIND_OPTIONS}
        disabled={channel !== null}
        hint={channel ? 'The kind of a channel cannot change.' : undefined}
      />
      <FormText<V>
        name="name"
        id="channel-name"
        label="Name"
        inputRef={nameRef}
        autoComplete="off"
        maxLength={200}
      />
      <FormCheckbox<V> name="enabled" id="channel-enabled" label="Enabled" />
      {kind === 'webhook' && <WebhookFields channel={channel} />}
      {kind === 'email' && <EmailFields channel={channel} />}
      {kind === 'mqtt' && <MqttFields />}
      {kind === 'desktop' && (
        <p className="field-hint">
          Shows the alert as a notification in the app (a toast in this page&apos;s window).
        </p>
      )}
      {message && (
        <p className="notice notice-error" role="alert">
          {message}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          Save
        </button>
        {channel && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </Form>
  );
}
