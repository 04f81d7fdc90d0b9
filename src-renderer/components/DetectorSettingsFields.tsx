/**
 * The Settings page's Detector group: where detection runs (this computer, or inference
 * servers speaking the Open Inference Protocol), which model, how it runs, what it looks for.
 */
import { useController, useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { describedBy, FieldMessages } from './Field';
import { FormCheckbox, FormSelect, FormText, useFieldError } from '../forms/fields';
import type { DetectorBackendSetting, SettingsForm as V } from '../settings-form';
import { DETECTOR_FAMILY_CHOICES, emptyEndpointRow } from '../settings-form';
import { ServerRows } from './ServerRows';

const BACKEND_CHOICES: readonly { value: DetectorBackendSetting; label: string }[] = [
  { value: 'local', label: 'This computer' },
  { value: 'v2', label: 'Inference servers (V2: Triton, KServe, OpenVINO Model Server)' },
  {
    value: 'codeproject',
    label: 'CodeProject.AI servers (CodeProject.AI Server, Blue Onyx, DeepStack)',
  },
];

const BACKEND_ID = 'settings-detector-backend';

/** "Where detection runs": choosing inference servers with none listed starts an empty row. */
function BackendChoice() {
  const { control, getValues, setValue } = useFormContext<V>();
  const { field } = useController({ name: 'detector.backend', control });
  const errors = useFieldError<V>('detector.backend');
  const invalid = !!errors;
  const choose = (value: DetectorBackendSetting) => {
    field.onChange(value);
    if (value !== 'local' && getValues('detector.endpoints').length === 0) {
      setValue('detector.endpoints', [emptyEndpointRow()], { shouldDirty: true });
    }
  };
  return (
    <fieldset className="choice-group" aria-describedby={describedBy(BACKEND_ID, true, invalid)}>
      <legend>Where detection runs</legend>
      <div className="choice-list">
        {BACKEND_CHOICES.map((c) => (
          <label key={c.value} className="choice">
            <input
              type="radio"
              name={field.name}
              value={c.value}
              checked={field.value === c.value}
              onChange={() => choose(c.value)}
              onBlur={field.onBlur}
            />
            {c.label}
          </label>
        ))}
      </div>
      <FieldMessages
        id={BACKEND_ID}
        hint="Servers on other machines (often with a GPU) do the detecting; this computer only sends each image and reads the boxes back."
        errors={errors}
      />
    </fieldset>
  );
}

/** What the list says of its servers, per kind. */
const SERVERS_HINT: Partial<Record<DetectorBackendSetting, string>> = {
  v2: "Each server's address, e.g. http://192.168.1.20:8000 (Triton's HTTP port). A blank model name uses the detector's model.",
  codeproject:
    "Each server's address, e.g. http://192.168.1.20:32168 (CodeProject.AI Server's port); each snapshot is sent as it is, and the server's own model finds the objects.",
};

/** The inference servers: one row each, added and removed here, saved as a whole list. */
function InferenceServers({ backend }: { backend: DetectorBackendSetting }) {
  const { control } = useFormContext<V>();
  const rows = useFieldArray({ control, name: 'detector.endpoints' });
  const model = useWatch({ control, name: 'detector.model' });
  const count = rows.fields.length;

  return (
    <div>
      <p className="field-hint">
        {SERVERS_HINT[backend]} Images go to the server with the fewest requests in flight; one that
        fails is left alone for a while and tried again later. A saved token is never shown: leave
        it to keep it, clear it to remove it.
      </p>
      {count === 0 && (
        <p className="muted">No inference servers: add one, or choose This computer.</p>
      )}
      <ServerRows
        keys={rows.fields.map((r) => r.id)}
        legend={(i) => `Inference server ${i + 1}`}
        idPrefix="settings-endpoint"
        removeLabel={(i) => `Remove inference server ${i + 1}`}
        addLabel="Add inference server"
        onAdd={() => rows.append(emptyEndpointRow(), { shouldFocus: false })}
        onRemove={(i) => rows.remove(i)}
        fields={(i) => (
          <>
            <div className="field-pair">
              <FormText<V>
                name={`detector.endpoints.${i}.url`}
                id={`settings-endpoint-${i}-url`}
                label="Address"
                type="url"
                placeholder="http://host:8000"
                spellCheck={false}
                autoComplete="off"
              />
              {backend === 'v2' && (
                <FormText<V>
                  name={`detector.endpoints.${i}.model`}
                  id={`settings-endpoint-${i}-model`}
                  label="Model name (optional)"
                  placeholder={model}
                  spellCheck={false}
                  autoComplete="off"
                />
              )}
            </div>
            <div className="field-pair">
              <FormText<V>
                name={`detector.endpoints.${i}.token`}
                id={`settings-endpoint-${i}-token`}
                label="Token (optional)"
                type="password"
                autoComplete="new-password"
                spellCheck={false}
              />
              <FormText<V>
                name={`detector.endpoints.${i}.maxConcurrent`}
                id={`settings-endpoint-${i}-max`}
                label="Requests at once"
                type="number"
                min={1}
                max={64}
                step={1}
              />
            </div>
          </>
        )}
      />
    </div>
  );
}

/** The Settings page's Detector group: which model, how it runs, what it looks for. */
export function DetectorSettingsFields() {
  const backend = useWatch<V, 'detector.backend'>({ name: 'detector.backend' });
  return (
    <fieldset className="panel">
      <legend>Detector</legend>
      <BackendChoice />
      {backend !== 'local' && (
        <>
          <InferenceServers backend={backend} />
          <FormCheckbox<V>
            name="detector.fallbackToLocal"
            id="settings-fallback-to-local"
            label="Detect on this computer when every server is down"
            hint="The model below runs here until a server answers again. Off: images wait for a server."
          />
        </>
      )}
      {backend === 'v2' && (
        <>
          <FormCheckbox<V>
            name="detector.v2Binary"
            id="settings-v2-binary"
            label="Send tensors in binary when the server supports it"
            hint="Much faster than JSON. Turn it off only for a server that mishandles binary data."
          />
          <FormCheckbox<V>
            name="detector.v2SharedMemory"
            id="settings-v2-shared-memory"
            label="Use shared memory with a server on this computer"
            hint="Tensors skip the network when the server runs here and offers it (Triton needs --allow-client-shm=true)."
          />
        </>
      )}
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
