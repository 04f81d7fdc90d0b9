/**
 * Settings → Integrations: the MQTT settings as the inputs hold them (text for numbers, the
 * QoS as its option value), named by their settings path, and the schema that makes the patch
 * of what changed — checked by the contract's settings patch schema. The password reads
 * "[REDACTED]" while one is stored; left as is, it keeps that password.
 */
import { z } from 'zod';
import type { ChannelInput } from '../src-shared/contract';
import type { MqttConnectionState, MqttMessageRecord, MqttStatus } from '../src-shared/mqtt';
import type { Settings, SettingsPatch } from '../src-shared/settings';
import { settingsPatchSchema } from '../src-shared/settings';
import { dateTime, timeOfDay } from './format';
import { typedNumber } from './forms/numbers';

const QOS_VALUES = ['0', '1', '2'] as const;

const mqttForm = z.object({
  mqtt: z.object({
    enabled: z.boolean(),
    url: z.string(),
    username: z.string(),
    password: z.string(),
    clientId: z.string(),
    baseTopic: z.string(),
    qos: z.enum(QOS_VALUES),
    tls: z.object({
      caFile: z.string(),
      certFile: z.string(),
      keyFile: z.string(),
      rejectUnauthorized: z.boolean(),
    }),
    discovery: z.object({ enabled: z.boolean(), prefix: z.string() }),
    frigateCompatible: z.boolean(),
    queueLimit: z.string(),
  }),
});

export type MqttSettingsForm = z.input<typeof mqttForm>;
type MqttFields = MqttSettingsForm['mqtt'];

export const QOS_CHOICES: readonly { value: (typeof QOS_VALUES)[number]; label: string }[] = [
  { value: '0', label: '0 — at most once' },
  { value: '1', label: '1 — at least once' },
  { value: '2', label: '2 — exactly once' },
];

/** Every field's settings path (server issues are shown under the field with that path). */
export const MQTT_FIELD_KEYS = [
  'mqtt.enabled',
  'mqtt.url',
  'mqtt.username',
  'mqtt.password',
  'mqtt.clientId',
  'mqtt.baseTopic',
  'mqtt.qos',
  'mqtt.tls.caFile',
  'mqtt.tls.certFile',
  'mqtt.tls.keyFile',
  'mqtt.tls.rejectUnauthorized',
  'mqtt.discovery.enabled',
  'mqtt.discovery.prefix',
  'mqtt.frigateCompatible',
  'mqtt.queueLimit',
] as const;

export function mqttFormFrom(s: Settings): MqttSettingsForm {
  const m = s.mqtt;
  return {
    mqtt: {
      enabled: m.enabled,
      url: m.url,
      username: m.username ?? '',
      password: m.password ?? '',
      clientId: m.clientId,
      baseTopic: m.baseTopic,
      qos: String(m.qos) as MqttFields['qos'],
      tls: { ...m.tls },
      discovery: { ...m.discovery },
      frigateCompatible: m.frigateCompatible,
      queueLimit: String(m.queueLimit),
    },
  };
}

type Json = Record<string, unknown>;

/** One changed field's value as the settings hold it. */
function convert(key: string, value: unknown, path: string[], ctx: z.RefinementCtx): unknown {
  if (typeof value === 'boolean') return value;
  const text = String(value);
  if (key === 'queueLimit') return typedNumber(text, path, ctx);
  if (key === 'qos') return Number(text);
  // Spaces can belong to a password; everything else is trimmed.
  return key === 'password' ? text : text.trim();
}

/** The form → the patch of what differs from `saved`, checked by the settings patch schema. */
export function mqttFormSchema(saved: Settings) {
  const before = mqttFormFrom(saved).mqtt as unknown as Json;
  return mqttForm
    .transform(({ mqtt }, ctx): SettingsPatch => {
      const walk = (now: Json, was: Json, path: string[]): Json => {
        const into: Json = {};
        for (const [key, value] of Object.entries(now)) {
          const at = [...path, key];
          if (value !== null && typeof value === 'object') {
            const child = walk(value as Json, was[key] as Json, at);
            if (Object.keys(child).length > 0) into[key] = child;
          } else if (value !== was[key]) {
            into[key] = convert(key, value, at, ctx);
          }
        }
        return into;
      };
      const changed = walk(mqtt, before, ['mqtt']);
      return Object.keys(changed).length > 0 ? { mqtt: changed } : {};
    })
    .pipe(settingsPatchSchema as z.ZodType<SettingsPatch, SettingsPatch>);
}

export type MqttTestInput = ChannelInput<'mqtt.test'>;

/**
 * What "Test connection" tries: the form's connection fields as they are now, saved or not
 * ("[REDACTED]" as the password: the saved one, which the server sends to the saved broker
 * only). Blank username and client id are sent as blank (none, and one chosen for the test).
 */
export function mqttTestInput(form: MqttSettingsForm): MqttTestInput {
  const m = form.mqtt;
  return {
    url: m.url.trim(),
    username: m.username.trim(),
    password: m.password,
    clientId: m.clientId.trim(),
    tls: {
      caFile: m.tls.caFile.trim(),
      certFile: m.tls.certFile.trim(),
      keyFile: m.tls.keyFile.trim(),
      rejectUnauthorized: m.tls.rejectUnauthorized,
    },
  };
}

export const MQTT_STATE_LABELS: Record<MqttConnectionState, string> = {
  disabled: 'Off',
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
};

/** The status badge's tone word (`StatusBadge`): the state is always written out too. */
export const MQTT_STATE_TONES: Record<MqttConnectionState, string> = {
  disabled: 'stopped',
  connecting: 'starting',
  connected: 'running',
  reconnecting: 'degraded',
};

/**
 * The connection in one sentence: "Connected since …", "Reconnecting — next try at …: why",
 * "Connecting to …", or "Off".
 */
export function mqttStateText(s: MqttStatus): string {
  switch (s.state) {
    case 'disabled':
      return 'Off';
    case 'connecting':
      return `Connecting to ${s.url}…`;
    case 'connected':
      return s.connectedAt ? `Connected since ${dateTime(s.connectedAt)}` : 'Connected';
    case 'reconnecting': {
      const next = s.nextAttemptAt ? ` — next try at ${timeOfDay(s.nextAttemptAt)}` : '';
      return `Reconnecting${next}: ${s.lastError ?? 'the broker is unreachable'}`;
    }
  }
}

const DIRECTION_LABELS: Record<MqttMessageRecord['direction'], string> = {
  in: 'In',
  out: 'Out',
};

const OUTCOME_LABELS: Record<MqttMessageRecord['outcome'], string> = {
  sent: 'Sent',
  queued: 'Queued (broker away)',
  handled: 'Handled',
  ignored: 'Ignored',
};

export function directionText(m: MqttMessageRecord): string {
  return DIRECTION_LABELS[m.direction];
}

/** "Sent, retained", "Ignored: not JSON". */
export function outcomeText(m: MqttMessageRecord): string {
  const parts = [OUTCOME_LABELS[m.outcome]];
  if (m.retained) parts.push('retained');
  return parts.join(', ') + (m.note ? `: ${m.note}` : '');
}
