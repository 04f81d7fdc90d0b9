import { FormCheckbox, FormSelect, FormText } from '../forms/fields';
import type { SettingsForm as V } from '../settings-form';
import { DETECTOR_FAMILY_CHOICES } from '../settings-form';

/** The Settings page's Detector group: which model, how it runs, what it looks for. */
export function DetectorSettingsFields() {
  return (
    <fieldset className="panel">
      <legend>Detector</legend>
      <FormText<V>
        name="detector.model"
        id="settings-detector-model"
        label="Model"
        hint="A model name from the models folder, e.g. yolox_nano."
        spellCheck={false}
        autoComplete="off"
      />
      <FormText<V>
        name="detector.modelPath"
        id="settings-model-path"
        label="Model file (optional)"
        hint="The full path of an .onnx file; overrides the model name. Leave blank to use the name."
        spellCheck={false}
        autoComplete="off"
      />
      <FormSelect<V>
        name="detector.family"
        id="settings-detector-family"
        label="Model family"
        options={DETECTOR_FAMILY_CHOICES}
        hint="For a model file the models list does not name, when its outputs do not show which family it is."
      />
      <div className="field-pair">
        <FormText<V>
          name="detector.intraOpThreads"
          id="settings-intra-op-threads"
          label="Inference threads"
          type="number"
          min={0}
          max={64}
          step={1}
          hint="CPU threads per inference; 0 lets the runtime choose."
        />
        <FormText<V>
          name="detector.concurrency"
          id="settings-concurrency"
          label="Concurrent inferences"
          type="number"
          min={1}
          max={16}
          step={1}
          hint="Images analysed at the same time."
        />
      </div>
      <FormText<V>
        name="detector.decodeWorkers"
        id="settings-decode-workers"
        label="Decode threads"
        type="number"
        min={0}
        max={8}
        step={1}
        hint="Threads that read and decode snapshots beside inference; 0 lets the inference thread do it."
      />
      <FormCheckbox<V>
        name="detector.allowSpinning"
        id="settings-allow-spinning"
        label="Keep idle inference threads spinning"
        hint="Wakes a little faster, but holds CPU cores that decoding could use. Off is faster on small machines."
      />
      <FormText<V>
        name="detector.classes"
        id="settings-classes"
        label="Classes"
        hint="Object classes to keep, separated by commas: person, car, dog"
        spellCheck={false}
        autoComplete="off"
      />
    </fieldset>
  );
}
