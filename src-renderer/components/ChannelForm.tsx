import type { FormEvent, RefObject } from 'react';
import { useState } from 'react';
import type { ChannelKind, NotificationChannel } from '../../src-shared/domain';
import { CHANNEL_KINDS } from '../../src-shared/domain';
import { REDACTED } from '../../src-shared/settings';
import { api } from '../api';
import type { ChannelForm as ChannelFormValues, EmailSecurity } from '../channel-form';
import {
  CHANNEL_FIELD_KEYS,
  KIND_LABELS,
  SECURITY_LABELS,
  channelFormFrom,
  channelInputFrom,
  channelIssuePath,
  emptyChannelForm,
  hasStoredSecret,
} from '../channel-form';
import type { FormErrors } from '../form-errors';
import { NO_ERRORS, formErrorsFrom, mapIssuePaths } from '../form-errors';
import { CheckboxField, SelectField, TextField } from './Field';

export const WEBHOOK_HELP =
  "Requests carry Idempotency-Key, X-HSI-Timestamp and, with a secret, X-HSI-Signature: sha256=HMAC(secret, timestamp + '.' + body).";

const KIND_OPTIONS = CHANNEL_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))
  // Webhook first: the usual choice.
  .sort((a, b) => (a.value === 'webhook' ? -1 : b.value === 'webhook' ? 1 : 0));
const SECURITY_OPTIONS = (['starttls', 'tls', 'none'] as const).map((value) => ({
  value,
  label: SECURITY_LABELS[value],
}));

type SetChannel = (patch: Partial<ChannelFormValues>) => void;

interface SectionProps {
  form: ChannelFormValues;
  set: SetChannel;
  errors: FormErrors['fields'];
  channel: NotificationChannel | null;
}

function WebhookFields({ form, set, errors, channel }: SectionProps) {
  const stored = hasStoredSecret(channel, 'secret');
  return (
    <>
      <TextField
        id="channel-url"
        label="URL"
        type="url"
        value={form.url}
        onValueChange={(url) => set({ url })}
        errors={errors['config.url']}
        hint="An http:// or https:// address that takes a JSON POST."
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        id="channel-secret"
        label="Signing secret (optional)"
        type="password"
        value={form.secret}
        onValueChange={(secret) => set({ secret })}
        errors={errors['config.secret']}
        placeholder={stored && !form.removeSecret ? REDACTED : undefined}
        hint={
          stored
            ? 'A secret is stored: leave this empty to keep it, or type a new one (8+ characters).'
            : 'At least 8 characters; requests are then signed with it.'
        }
        autoComplete="new-password"
      />
      {stored && (
        <CheckboxField
          id="channel-remove-secret"
          label="Remove the saved signing key"
          checked={form.removeSecret}
          onCheckedChange={(removeSecret) => set({ removeSecret })}
        />
      )}
      <TextField
        id="channel-timeout"
        label="Timeout (ms)"
        type="number"
        min={100}
        max={60000}
        step={100}
        value={form.timeoutMs}
        onValueChange={(timeoutMs) => set({ timeoutMs })}
        errors={errors['config.timeoutMs']}
      />
      <p className="field-hint webhook-help" data-testid="webhook-help">
        {WEBHOOK_HELP}
      </p>
    </>
  );
}

function EmailFields({ form, set, errors, channel }: SectionProps) {
  const stored = hasStoredSecret(channel, 'password');
  return (
    <>
      <div className="field-pair">
        <TextField
          id="channel-host"
          label="SMTP host"
          value={form.host}
          onValueChange={(host) => set({ host })}
          errors={errors['config.host']}
          autoComplete="off"
          spellCheck={false}
        />
        <TextField
          id="channel-port"
          label="SMTP port"
          type="number"
          min={1}
          max={65535}
          step={1}
          value={form.port}
          onValueChange={(port) => set({ port })}
          errors={errors['config.port']}
        />
      </div>
      <SelectField
        id="channel-security"
        label="Security"
        value={form.security}
        onValueChange={(security) => set({ security: security as EmailSecurity })}
        options={SECURITY_OPTIONS}
        errors={errors['config.security']}
        hint="STARTTLS (usually port 587), TLS (465), or None for a relay on this machine only."
      />
      <div className="field-pair">
        <TextField
          id="channel-user"
          label="SMTP user"
          value={form.user}
          onValueChange={(user) => set({ user })}
          errors={errors['config.user']}
          autoComplete="off"
          spellCheck={false}
        />
        <TextField
          id="channel-password"
          label="SMTP password"
          type="password"
          value={form.password}
          onValueChange={(password) => set({ password })}
          errors={errors['config.password']}
          placeholder={stored && !form.removePassword ? REDACTED : undefined}
          hint={stored ? 'A password is stored: leave this empty to keep it.' : undefined}
          autoComplete="new-password"
        />
      </div>
      {stored && (
        <CheckboxField
          id="channel-remove-password"
          label="Remove the saved SMTP login password"
          checked={form.removePassword}
          onCheckedChange={(removePassword) => set({ removePassword })}
        />
      )}
      <TextField
        id="channel-from"
        label="From"
        type="email"
        value={form.from}
        onValueChange={(from) => set({ from })}
        errors={errors['config.from']}
        autoComplete="off"
      />
      <TextField
        id="channel-to"
        label="To"
        value={form.to}
        onValueChange={(to) => set({ to })}
        errors={errors['config.to']}
        hint="Comma-separated addresses (up to 20)."
        autoComplete="off"
      />
    </>
  );
}

interface ChannelFormProps {
  channel: NotificationChannel | null;
  nameRef: RefObject<HTMLInputElement | null>;
  onSaved: (channel: NotificationChannel, created: boolean) => void;
  onCancel: () => void;
}

/** Add or edit a notification channel; the fields follow the kind. */
export function ChannelForm({ channel, nameRef, onSaved, onCancel }: ChannelFormProps) {
  const [form, setForm] = useState<ChannelFormValues>(() =>
    channel ? channelFormFrom(channel) : emptyChannelForm(),
  );
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saving, setSaving] = useState(false);

  const set: SetChannel = (patch) => setForm((prev) => ({ ...prev, ...patch }));

  const save = async () => {
    const built = channelInputFrom(form, channel);
    if ('errors' in built) {
      setErrors({ fields: built.errors, form: null });
      return;
    }
    setSaving(true);
    setErrors(NO_ERRORS);
    try {
      const saved = channel
        ? await api.invoke('notify.channels.update', {
            id: channel.id,
            name: form.name,
            enabled: form.enabled,
            config: built.config,
          })
        : await api.invoke('notify.channels.create', built.create);
      setSaving(false);
      onSaved(saved, !channel);
    } catch (err) {
      setErrors(formErrorsFrom(mapIssuePaths(err, channelIssuePath), CHANNEL_FIELD_KEYS));
      setSaving(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!saving) void save();
  };

  const fe = errors.fields;
  const section = { form, set, errors: fe, channel };
  return (
    <form
      aria-label="Channel form"
      className="form channel-form panel"
      onSubmit={onSubmit}
      noValidate
    >
      <h4 className="form-title">{channel ? `Edit channel ${channel.name}` : 'New channel'}</h4>
      <SelectField
        id="channel-kind"
        label="Kind"
        value={form.kind}
        onValueChange={(kind) => set({ kind: kind as ChannelKind })}
        options={KIND_OPTIONS}
        errors={fe.kind}
        disabled={channel !== null}
        hint={channel ? 'The kind of a channel cannot change.' : undefined}
      />
      <TextField
        id="channel-name"
        label="Name"
        value={form.name}
        onValueChange={(name) => set({ name })}
        errors={fe.name}
        inputRef={nameRef}
        autoComplete="off"
        maxLength={200}
      />
      <CheckboxField
        id="channel-enabled"
        label="Enabled"
        checked={form.enabled}
        onCheckedChange={(enabled) => set({ enabled })}
        errors={fe.enabled}
      />
      {form.kind === 'webhook' && <WebhookFields {...section} />}
      {form.kind === 'email' && <EmailFields {...section} />}
      {form.kind === 'desktop' && (
        <p className="field-hint">
          Shows the alert as a notification in the app (a toast in this page&apos;s window).
        </p>
      )}
      {(errors.form ?? fe.config) && (
        <p className="notice notice-error" role="alert">
          {[errors.form, ...(fe.config ?? [])].filter(Boolean).join(' ')}
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
    </form>
  );
}
