import { useState } from 'react';
import { useWatch } from 'react-hook-form';
import type { Calibration } from '../../src-shared/calibration';
import type { ChannelInput } from '../../src-shared/contract';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import type { CalibrationForm as V } from '../calibration-form';
import {
  CALIBRATION_FIELD_KEYS,
  calibrationFormFrom,
  calibrationFormSchema,
} from '../calibration-form';
import {
  CalibrationPreviewPanel,
  ReevaluatePanel,
  SuggestionsPanel,
  ThresholdSliders,
} from '../components/CalibrationTools';
import type { CalibrationPreview } from '../../src-shared/calibration';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FactorTable } from '../components/FactorTable';
import { FormCheckbox, FormText } from '../forms/fields';
import { Form, FormProblem } from '../forms/Form';
import { useSavedEditor } from '../forms/saved-editor';
import { useCalibration, useCameras, useSettings } from '../queries';
import { keys } from '../server-state';

type Update = ChannelInput<'calibration.update'>;

function ThresholdFields({
  prefix,
  label,
}: {
  prefix: 'thresholds' | 'night.thresholds';
  label: string;
}) {
  const id = prefix.replace('.', '-');
  return (
    <div className="field-pair">
      {(['medium', 'high', 'critical'] as const).map((level) => (
        <FormText<V>
          key={level}
          name={`${prefix}.${level}`}
          id={`calibration-${id}-${level}`}
          label={`${label} ${level}`}
          type="number"
          min={1}
          max={100}
          step={1}
          hint={
            level === 'medium'
              ? 'Scores from here up are medium risk.'
              : `At least 5 above the one before.`
          }
        />
      ))}
    </div>
  );
}

function CalibrationEditor({ saved }: { saved: Calibration }) {
  const api = useApi();
  const { form, formProps, saving, message, apply, submit } = useSavedEditor({
    saved,
    toForm: calibrationFormFrom,
    schema: calibrationFormSchema,
    queryKey: keys.calibration,
    fieldKeys: CALIBRATION_FIELD_KEYS,
  });
  const [confirmReset, setConfirmReset] = useState(false);
  const [histogram, setHistogram] = useState<CalibrationPreview['histogram']>();
  const settings = useSettings().data;
  const cameras = useCameras().data;
  const classRows = (settings?.detector.classes ?? []).map((c) => ({ key: c, label: c }));
  const cameraRows = (cameras ?? []).map((c) => ({ key: c.id, label: c.name }));
  const night = useWatch({ control: form.control, name: 'nightEnabled' });

  const save = (update: Update) =>
    submit(
      () => api.invoke('calibration.update', update),
      'Calibration saved. Stored events keep their levels until re-evaluated (below).',
    );

  return (
    <>
      <Form {...formProps} onValid={save} aria-label="Calibration form" className="form">
        <fieldset className="panel">
          <legend>Risk levels</legend>
          <ThresholdSliders form={form} histogram={histogram} />
          <ThresholdFields prefix="thresholds" label="Threshold" />
          <div className="factor-tables">
            <FactorTable<V>
              name="classMultipliers"
              id="calibration-class-multipliers"
              caption="Class multipliers"
              nameHeader="Class"
              rows={classRows}
              addLabel="Another class"
              hint="How much each kind of object weighs, 0 to 3 (1 = as scored, 0 = never a risk)."
            />
            <FactorTable<V>
              name="cameraSensitivity"
              id="calibration-camera-sensitivity"
              caption="Camera sensitivity"
              nameHeader="Camera"
              rows={cameraRows}
              hint="How much each camera's events weigh, 0 to 3 (lower for a busy street view)."
            />
          </div>
          <FormText<V>
            name="decayFactor"
            id="calibration-decay"
            label="Learning rate"
            type="number"
            min={0}
            max={1}
            step={0.05}
            hint="How far each piece of feedback moves the thresholds (0 = never)."
          />
        </fieldset>
        <fieldset className="panel">
          <legend>Night</legend>
          <FormCheckbox<V>
            name="nightEnabled"
            id="calibration-night-enabled"
            label="Use other thresholds at night"
            hint="Events that start inside the window are scored with these instead."
          />
          {night && (
            <>
              <div className="field-pair">
                <FormText<V>
                  name="night.start"
                  id="calibration-night-start"
                  label="From"
                  hint="HH:MM"
                />
                <FormText<V>
                  name="night.end"
                  id="calibration-night-end"
                  label="Until"
                  hint="HH:MM"
                />
                <FormText<V>
                  name="night.timezone"
                  id="calibration-night-timezone"
                  label="Time zone"
                  hint="e.g. Europe/Berlin"
                  spellCheck={false}
                />
              </div>
              <ThresholdFields prefix="night.thresholds" label="Night" />
              <FactorTable<V>
                name="night.classMultipliers"
                id="calibration-night-multipliers"
                caption="Night class multipliers"
                nameHeader="Class"
                rows={classRows}
                addLabel="Another class"
                hint="At night these replace the day's multipliers for the classes set here."
              />
            </>
          )}
        </fieldset>
        <FormProblem />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving}>
            Save
          </button>
          <button type="button" className="button" onClick={() => setConfirmReset(true)}>
            Reset to defaults
          </button>
          <p role="status" className="status-line">
            {message}
          </p>
        </div>
      </Form>
      <CalibrationPreviewPanel form={form} onHistogram={setHistogram} />
      <SuggestionsPanel form={form} />
      {confirmReset && (
        <ConfirmDialog
          id="calibration-reset"
          title="Reset calibration?"
          text="Thresholds go back to 30 / 60 / 85 and all multipliers, sensitivities and the night profile are removed. Feedback counts are kept."
          confirmLabel="Reset"
          onCancel={() => setConfirmReset(false)}
          onConfirm={async () => {
            apply(await api.invoke('calibration.reset', {}), 'Calibration reset to defaults');
            setConfirmReset(false);
          }}
        />
      )}
    </>
  );
}

function FeedbackCounts({ c }: { c: Calibration }) {
  const f = c.feedback;
  return (
    <section className="panel" aria-labelledby="calibration-feedback">
      <h2 id="calibration-feedback">Learned from your feedback</h2>
      <p>
        {f.correct} correct, {f.falsePositive} false positives, {f.missedThreat} missed threats,{' '}
        {f.severityWrong} wrong severities. Each moves the thresholds a little (mark events on the
        Events page).
      </p>
    </section>
  );
}

/**
 * `#/calibration`: thresholds (sliders over the score histogram), multipliers, sensitivity,
 * the night profile, the preview, suggestions from feedback, re-evaluation, feedback counts.
 */
export function CalibrationPage() {
  const query = useCalibration();
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Calibration</h1>
      </header>
      {query.isError && (
        <p className="notice notice-error" role="alert">
          Could not load calibration: {errorMessage(query.error)}
        </p>
      )}
      {query.isPending && <p className="muted">Loading calibration…</p>}
      {query.data && (
        <>
          <CalibrationEditor saved={query.data} />
          <ReevaluatePanel saved={query.data} />
          <FeedbackCounts c={query.data} />
        </>
      )}
    </section>
  );
}
