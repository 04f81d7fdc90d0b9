import type { FieldErrors } from '../form-errors';
import type { SetField, SettingsForm } from '../settings-form';
import { PATHS } from '../settings-form';
import { TextField } from './Field';

interface Props {
  form: SettingsForm;
  set: SetField;
  errors: FieldErrors;
}

/** The Settings page's Detector group: which model, how it runs, what it looks for. */
export function DetectorSettingsFields({ form, set, errors }: Props) {
  return (
    <fieldset className="panel">
      <legend>Detector</legend>
      <TextField
        id="settings-detector-model"
        label="Model"
        value={form.detectorModel}
        onValueChange={(v) => set('detectorModel', v)}
        errors={errors[PATHS.detectorModel]}
        hint="A model name from the models folder, e.g. yolox_nano."
        spellCheck={false}
        autoComplete="off"
      />
      <TextField
        id="settings-model-path"
        label="Model file (optional)"
        value={form.modelPath}
        onValueChange={(v) => set('modelPath', v)}
        errors={errors[PATHS.modelPath]}
        hint="The full path of an .onnx file; overrides the model name. Leave blank to use the name."
        spellCheck={false}
        autoComplete="off"
      />
      <div className="field-pair">
        <TextField
          id="settings-intra-op-threads"
          label="Inference threads"
          type="number"
          min={0}
          max={64}
          step={1}
          value={form.intraOpThreads}
          onValueChange={(v) => set('intraOpThreads', v)}
          errors={errors[PATHS.intraOpThreads]}
          hint="CPU threads per inference; 0 lets the runtime choose."
        />
        <TextField
          id="settings-concurrency"
          label="Concurrent inferences"
          type="number"
          min={1}
          max={16}
          step={1}
          value={form.concurrency}
          onValueChange={(v) => set('concurrency', v)}
          errors={errors[PATHS.concurrency]}
          hint="Images analysed at the same time."
        />
      </div>
      <TextField
        id="settings-classes"
        label="Classes"
        value={form.classes}
        onValueChange={(v) => set('classes', v)}
        errors={errors[PATHS.classes]}
        hint="Object classes to keep, separated by commas: person, car, dog"
        spellCheck={false}
        autoComplete="off"
      />
    </fieldset>
  );
}
