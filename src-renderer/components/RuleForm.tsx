import type { FormEvent, RefObject } from 'react';
import { useState } from 'react';
import type { AlertRule, RiskLevel, SecurityEvent } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { api } from '../api';
import type { FormErrors } from '../form-errors';
import { NO_ERRORS, formErrorsFrom, mapIssuePaths } from '../form-errors';
import { RISK_LABELS, riskClass } from '../risk';
import type { RuleForm as RuleFormValues } from '../rule-form';
import { RULE_FIELD_KEYS, emptyRuleForm, ruleFormFrom, ruleInputFrom } from '../rule-form';
import { useCameras } from '../stores/cameras';
import { useChannels } from '../stores/notify-channels';
import { useZones } from '../stores/zones';
import { CheckboxField, CheckboxGroup, SelectField, TextField } from './Field';
import type { PreviewData } from './RulePreview';
import { RulePreview } from './RulePreview';
import { TimeWindowFields } from './TimeWindowFields';
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

type SetRule = (patch: Partial<RuleFormValues>) => void;

/** Drops picked zones of cameras that are no longer in the rule's scope. */
function useCameraScope(form: RuleFormValues, set: SetRule) {
  const cameras = useCameras((s) => s.cameras);
  const byCamera = useZones((s) => s.byCamera);
  const inScope = form.cameraIds.length > 0 ? form.cameraIds : cameras.map((c) => c.id);
  const scoped = cameras.filter((c) => inScope.includes(c.id));
  const setCameras = (cameraIds: string[]) => {
    const scope = new Set(cameraIds.length > 0 ? cameraIds : cameras.map((c) => c.id));
    const zoneCamera = new Map<string, string>();
    for (const [cameraId, zones] of Object.entries(byCamera)) {
      for (const zone of zones) zoneCamera.set(zone.id, cameraId);
    }
    const zoneIds = form.zoneIds.filter((id) => {
      const cameraId = zoneCamera.get(id);
      return cameraId === undefined || scope.has(cameraId);
    });
    set({ cameraIds, zoneIds });
  };
  return { cameras, scoped, setCameras };
}

function ConditionFields({
  form,
  set,
  errors,
}: {
  form: RuleFormValues;
  set: SetRule;
  errors: FormErrors['fields'];
}) {
  const { cameras, scoped, setCameras } = useCameraScope(form, set);
  return (
    <fieldset className="panel rule-section">
      <legend>Conditions</legend>
      <p className="field-hint rule-section-hint">
        An event raises an alert when every condition set here matches. Leave a condition empty for
        any.
      </p>
      <TextField
        id="rule-min-risk"
        label="Minimum risk score"
        type="number"
        min={0}
        max={100}
        step={1}
        value={form.minRiskScore}
        onValueChange={(minRiskScore) => set({ minRiskScore })}
        errors={errors.minRiskScore}
        hint="0–100; empty: any score."
      />
      <CheckboxGroup
        id="rule-risk-levels"
        legend="Risk levels"
        choices={LEVEL_CHOICES}
        selected={form.riskLevels}
        onSelectedChange={(levels) => set({ riskLevels: levels as RiskLevel[] })}
        errors={errors.riskLevels}
        hint="None checked: any level."
      />
      <TextField
        id="rule-classes"
        label="Object classes"
        value={form.objectClasses}
        onValueChange={(objectClasses) => set({ objectClasses })}
        errors={errors.objectClasses}
        hint="Comma-separated, e.g. person, car; empty: any object."
        autoComplete="off"
        spellCheck={false}
      />
      <CheckboxGroup
        id="rule-cameras"
        legend="Cameras"
        choices={cameras.map((c) => ({ value: c.id, label: c.name }))}
        selected={form.cameraIds}
        onSelectedChange={setCameras}
        errors={errors.cameraIds}
        hint="None checked: any camera."
        emptyText="No cameras yet."
      />
      <ZonePicker
        cameras={scoped}
        limited={form.cameraIds.length > 0}
        selected={form.zoneIds}
        onSelectedChange={(zoneIds) => set({ zoneIds })}
        errors={errors.zoneIds}
      />
      <TextField
        id="rule-min-confidence"
        label="Minimum confidence"
        type="number"
        min={0}
        max={1}
        step={0.05}
        value={form.minConfidence}
        onValueChange={(minConfidence) => set({ minConfidence })}
        errors={errors.minConfidence}
        hint="0–1, for the detections of the chosen object classes; empty: any."
      />
      <CheckboxField
        id="rule-schedule-on"
        label="Only during a schedule"
        checked={form.scheduleOn}
        onCheckedChange={(scheduleOn) => set({ scheduleOn })}
        errors={errors.schedule}
      />
      {form.scheduleOn && (
        <TimeWindowFields
          idPrefix="rule-schedule"
          value={form}
          onChange={set}
          startLabel="Start"
          endLabel="End"
          errors={{
            days: errors['schedule.days'],
            start: errors['schedule.start'],
            end: errors['schedule.end'],
            timezone: errors['schedule.timezone'],
          }}
        />
      )}
    </fieldset>
  );
}

function DeliveryFields({
  form,
  set,
  errors,
}: {
  form: RuleFormValues;
  set: SetRule;
  errors: FormErrors['fields'];
}) {
  const channels = useChannels((s) => s.channels);
  return (
    <fieldset className="panel rule-section">
      <legend>Delivery</legend>
      <TextField
        id="rule-cooldown"
        label="Cooldown (seconds)"
        type="number"
        min={0}
        step={1}
        value={form.cooldownSeconds}
        onValueChange={(cooldownSeconds) => set({ cooldownSeconds })}
        errors={errors.cooldownSeconds}
        hint="After an alert, the same deduplication key raises no new alert for this long."
      />
      <TextField
        id="rule-dedup"
        label="Deduplication key"
        value={form.dedupKeyTemplate}
        onValueChange={(dedupKeyTemplate) => set({ dedupKeyTemplate })}
        errors={errors.dedupKeyTemplate}
        hint="Placeholders: {cameraId}, {ruleId}, {severity}, {objectClass}."
        autoComplete="off"
        spellCheck={false}
      />
      <CheckboxGroup
        id="rule-channels"
        legend="Notification channels"
        choices={channels.map((c) => ({
          value: c.id,
          label: c.enabled ? c.name : `${c.name} (disabled)`,
        }))}
        selected={form.channelIds}
        onSelectedChange={(channelIds) => set({ channelIds })}
        errors={errors.channelIds}
        hint="Where alerts of this rule are sent. None: they only appear in the app."
        emptyText="No channels yet: add one under Settings → Notifications."
      />
    </fieldset>
  );
}

/** Add or edit a rule, with every condition and a dry run over recent events. */
export function RuleForm({ rule, nameRef, onSaved, onCancel }: RuleFormProps) {
  const [form, setForm] = useState<RuleFormValues>(() =>
    rule ? ruleFormFrom(rule) : emptyRuleForm(),
  );
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState<'save' | 'preview' | null>(null);
  const [preview, setPreview] = useState<PreviewData | null>(null);

  const set: SetRule = (patch) => setForm((prev) => ({ ...prev, ...patch }));

  const checked = () => {
    const result = ruleInputFrom(form);
    if ('errors' in result) {
      setErrors(result.errors);
      return null;
    }
    setErrors(NO_ERRORS);
    return result.input;
  };

  const save = async () => {
    const input = checked();
    if (!input) return;
    setBusy('save');
    try {
      const saved = rule
        ? await api.invoke('alertRules.update', { id: rule.id, ...input })
        : await api.invoke('alertRules.create', input);
      setBusy(null);
      onSaved(saved, !rule);
    } catch (err) {
      setErrors(formErrorsFrom(err, RULE_FIELD_KEYS));
      setBusy(null);
    }
  };

  const runPreview = async () => {
    const input = checked();
    if (!input) return;
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
      const unprefixed = mapIssuePaths(err, (path) => (path[0] === 'rule' ? path.slice(1) : path));
      setErrors(formErrorsFrom(unprefixed, RULE_FIELD_KEYS));
      setPreview(null);
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void save();
  };

  const fe = errors.fields;
  return (
    <form aria-label="Rule form" className="form rule-form" onSubmit={onSubmit} noValidate>
      <h3 className="rule-form-title">{rule ? `Edit rule ${rule.name}` : 'New rule'}</h3>
      <div className="panel rule-section">
        <TextField
          id="rule-name"
          label="Name"
          value={form.name}
          onValueChange={(name) => set({ name })}
          errors={fe.name}
          inputRef={nameRef}
          autoComplete="off"
          maxLength={200}
        />
        <SelectField
          id="rule-severity"
          label="Severity"
          value={form.severity}
          onValueChange={(severity) => set({ severity: severity as RiskLevel })}
          options={SEVERITY_OPTIONS}
          errors={fe.severity}
          hint="The severity of the alerts this rule raises."
        />
        <CheckboxField
          id="rule-enabled"
          label="Enabled"
          checked={form.enabled}
          onCheckedChange={(enabled) => set({ enabled })}
          errors={fe.enabled}
          hint="Disabled rules raise no alerts but can still be previewed."
        />
      </div>
      <ConditionFields form={form} set={set} errors={fe} />
      <DeliveryFields form={form} set={set} errors={fe} />
      {errors.form && (
        <p className="notice notice-error" role="alert">
          {errors.form}
        </p>
      )}
      {Object.keys(fe).length > 0 && !errors.form && (
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
          onClick={() => void runPreview()}
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
    </form>
  );
}
