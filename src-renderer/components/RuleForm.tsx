import { zodResolver } from '@hookform/resolvers/zod';
import type { RefObject } from 'react';
import { useState } from 'react';
import { useForm, useFormContext, useWatch } from 'react-hook-form';
import type { AlertRule, SecurityEvent } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { useApi } from '../app-context';
import { CheckboxGroup } from './Field';
import { FormCheckbox, FormChoices, FormSelect, FormText, useFieldError } from '../forms/fields';
import { Form } from '../forms/Form';
import { formMessage, showServerErrors } from '../forms/server-errors';
import { TimeWindowFields } from '../forms/TimeWindowFields';
import { useCameras, useChannels, useZonesOf } from '../queries';
import { RISK_LABELS, riskClass } from '../risk';
import type { RuleFormValues, RuleInput } from '../rule-form';
import { RULE_FIELD_KEYS, emptyRuleForm, ruleFormFrom, ruleFormSchema } from '../rule-form';
import type { PreviewData } from './RulePreview';
import { RulePreview } from './RulePreview';
import { ZonePicker } from './ZonePicker';

/** How many recent events the preview tries the rule on. */
const PREVIEW_EVENTS = 50;

const SEVERITY_OPTIONS = RISK_LEVELS.map((level) => ({ value: level, label: RISK_LABELS[level] }));
const LEVEL_CHOICES = RISK_LEVELS.map((level) => ({
  value: level,
  label: RISK_LABELS[level],
  className: `level-toggle ${riskClass(level)}`,
}));

interface RuleFormProps {
  /** The rule to edit; null for a new one. */
  rule: AlertRule | null;
  nameRef: RefObject<HTMLInputElement | null>;
  onSaved: (rule: AlertRule, created: boolean) => void;
  onCancel: () => void;
}

/** Cameras in the rule's scope (the picked ones, or all), and zones picked outside it dropped. */
function CameraScopeFields() {
  const { setValue } = useFormContext<RuleFormValues>();
  const cameras = useCameras().data ?? [];
  const cameraIds = useWatch<RuleFormValues, 'cameraIds'>({ name: 'cameraIds' });
  const zoneIds = useWatch<RuleFormValues, 'zoneIds'>({ name: 'zoneIds' });
  const scope = cameraIds.length > 0 ? cameraIds : cameras.map((c) => c.id);
  const scoped = cameras.filter((c) => scope.includes(c.id));
  const zones = useZonesOf(cameras.map((c) => c.id));
  const cameraErrors = useFieldError<RuleFormValues>('cameraIds');
  const zoneErrors = useFieldError<RuleFormValues>('zoneIds');

  const setCameras = (picked: string[]) => {
    const inScope = new Set(picked.length > 0 ? picked : cameras.map((c) => c.id));
    const zoneCamera = new Map<string, string>();
    cameras.forEach((camera, i) => {
      for (const zone of zones[i]?.data ?? []) zoneCamera.set(zone.id, camera.id);
    });
    setValue('cameraIds', picked, { shouldDirty: true });
    setValue(
      'zoneIds',
      zoneIds.filter((id) => {
        const cameraId = zoneCamera.get(id);
        return cameraId === undefined || inScope.has(cameraId);
      }),
      { shouldDirty: true },
    );
  };

  return (
    <>
      <CheckboxGroup
        id="rule-cameras"
        legend="Cameras"
        choices={cameras.map((c) => ({ value: c.id, label: c.name }))}
        selected={cameraIds}
        onSelectedChange={setCameras}
        errors={cameraErrors}
        hint="None checked: any camera."
        emptyText="No cameras yet."
      />
      <ZonePicker
        cameras={scoped}
        limited={cameraIds.length > 0}
        selected={zoneIds}
        onSelectedChange={(ids) => setValue('zoneIds', ids, { shouldDirty: true })}
        errors={zoneErrors}
      />
    </>
  );
}

function ConditionFields() {
  const scheduleOn = useWatch<RuleFormValues, 'schedule.on'>({ name: 'schedule.on' });
  return (
    <fieldset className="panel rule-section">
      <legend>Conditions</legend>
      <p className="field-hint rule-section-hint">
        An event raises an alert when every condition set here matches. Leave a condition empty for
        any.
      </p>
      <FormText<RuleFormValues>
        name="minRiskScore"
        id="rule-min-risk"
        label="Minimum risk score"
        type="number"
        min={0}
        max={100}
        step={1}
        hint="0–100; empty: any score."
      />
      <FormChoices<RuleFormValues>
        name="riskLevels"
        id="rule-risk-levels"
        legend="Risk levels"
        choices={LEVEL_CHOICES}
        hint="None checked: any level."
      />
      <FormText<RuleFormValues>
        name="objectClasses"
        id="rule-classes"
        label="Object classes"
        hint="Comma-separated, e.g. person, car; empty: any object."
        autoComplete="off"
        spellCheck={false}
      />
      <CameraScopeFields />
      <FormText<RuleFormValues>
        name="minConfidence"
        id="rule-min-confidence"
        label="Minimum confidence"
        type="number"
        min={0}
        max={1}
        step={0.05}
        hint="0–1, for the detections of the chosen object classes; empty: any."
      />
      <FormCheckbox<RuleFormValues>
        name="schedule.on"
        id="rule-schedule-on"
        label="Only during a schedule"
      />
      {scheduleOn && (
        <TimeWindowFields<RuleFormValues>
          idPrefix="rule-schedule"
          name="schedule"
          startLabel="Start"
          endLabel="End"
        />
      )}
    </fieldset>
  );
}

function DeliveryFields() {
  const channels = useChannels().data ?? [];
  return (
    <fieldset className="panel rule-section">
      <legend>Delivery</legend>
      <FormText<RuleFormValues>
        name="cooldownSeconds"
        id="rule-cooldown"
        label="Cooldown (seconds)"
        type="number"
        min={0}
        step={1}
        hint="After an alert, the same deduplication key raises no new alert for this long."
      />
      <FormText<RuleFormValues>
        name="dedupKeyTemplate"
        id="rule-dedup"
        label="Deduplication key"
        hint="Placeholders: {cameraId}, {ruleId}, {severity}, {objectClass}."
        autoComplete="off"
        spellCheck={false}
      />
      <FormChoices<RuleFormValues>
        name="channelIds"
        id="rule-channels"
        legend="Notification channels"
        choices={channels.map((c) => ({
          value: c.id,
          label: c.enabled ? c.name : `${c.name} (disabled)`,
        }))}
        hint="Where alerts of this rule are sent. None: they only appear in the app."
        emptyText="No channels yet: add one under Settings → Notifications."
      />
    </fieldset>
  );
}

/** Add or edit a rule, with every condition and a dry run over recent events. */
export function RuleForm({ rule, nameRef, onSaved, onCancel }: RuleFormProps) {
  const api = useApi();
  const form = useForm<RuleFormValues, unknown, RuleInput>({
    defaultValues: rule ? ruleFormFrom(rule) : emptyRuleForm(),
    resolver: zodResolver(ruleFormSchema),
  });
  const [busy, setBusy] = useState<'save' | 'preview' | null>(null);
  const [preview, setPreview] = useState<PreviewData | null>(null);

  const save = async (input: RuleInput) => {
    setBusy('save');
    try {
      const saved = rule
        ? await api.invoke('alertRules.update', { id: rule.id, ...input })
        : await api.invoke('alertRules.create', input);
      setBusy(null);
      onSaved(saved, !rule);
    } catch (err) {
      showServerErrors(form, err, RULE_FIELD_KEYS);
      setBusy(null);
    }
  };

  const runPreview = async (input: RuleInput) => {
    setBusy('preview');
    try {
      const [result, page] = await Promise.all([
        api.invoke('alertRules.test', { rule: input, limit: PREVIEW_EVENTS }),
        api
          .invoke('events.list', { limit: PREVIEW_EVENTS })
          .catch(() => ({ items: [] as SecurityEvent[], nextCursor: null })),
      ]);
      setPreview({ result, events: new Map(page.items.map((e) => [e.id, e])) });
    } catch (err) {
      // Issues of the unsaved rule come back under `rule`.
      showServerErrors(form, err, RULE_FIELD_KEYS, (path) =>
        path[0] === 'rule' ? path.slice(1) : path,
      );
      setPreview(null);
    } finally {
      setBusy(null);
    }
  };

  const { errors } = form.formState;
  const message = formMessage(form);
  const fieldErrors = Object.keys(errors).some((k) => k !== 'root');
  return (
    <Form
      form={form}
      onValid={save}
      busy={busy !== null}
      aria-label="Rule form"
      className="form rule-form"
    >
      <h3 className="rule-form-title">{rule ? `Edit rule ${rule.name}` : 'New rule'}</h3>
      <div className="panel rule-section">
        <FormText<RuleFormValues>
          name="name"
          id="rule-name"
          label="Name"
          inputRef={nameRef}
          autoComplete="off"
          maxLength={200}
        />
        <FormSelect<RuleFormValues>
          name="severity"
          id="rule-severity"
          label="Severity"
          options={SEVERITY_OPTIONS}
          hint="The severity of the alerts this rule raises."
        />
        <FormCheckbox<RuleFormValues>
          name="enabled"
          id="rule-enabled"
          label="Enabled"
          hint="Disabled rules raise no alerts but can still be previewed."
        />
      </div>
      <ConditionFields />
      <DeliveryFields />
      {message && (
        <p className="notice notice-error" role="alert">
          {message}
        </p>
      )}
      {fieldErrors && !message && (
        <p className="field-error" role="alert">
          Some fields need attention.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy !== null}>
          Save
        </button>
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() => void form.handleSubmit(runPreview)()}
        >
          Preview
        </button>
        {rule && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {preview && <RulePreview data={preview} />}
    </Form>
  );
}
