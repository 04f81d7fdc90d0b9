/** A version's model parameters: model, temperature, answer length, response schema, vision. */
import { useFormContext, useWatch } from 'react-hook-form';
import { FormCheckbox, FormSelect, FormText } from '../forms/fields';
import type { PromptForm } from '../prompt-form';

const SCHEMAS = [
  {
    value: 'structured',
    label: 'Structured: score, level, title, summary, observations, reasoning, confidence',
  },
  { value: 'basic', label: 'Basic: score, level, summary, reasoning' },
] as const;

function TemperatureSlider() {
  const { control, setValue } = useFormContext<PromptForm>();
  const text = useWatch({ control, name: 'params.temperature' });
  const n = Number(text);
  return (
    <input
      type="range"
      className="temperature-slider"
      min={0}
      max={2}
      step={0.05}
      value={Number.isFinite(n) ? Math.min(2, Math.max(0, n)) : 0}
      aria-label="Temperature slider"
      aria-describedby="prompt-temperature-hint"
      onChange={(e) =>
        setValue('params.temperature', e.target.value, { shouldDirty: true, shouldValidate: true })
      }
    />
  );
}

export function PromptParamsFields() {
  const vision = useWatch<PromptForm, 'params.vision.enabled'>({ name: 'params.vision.enabled' });
  return (
    <fieldset className="choice-group prompt-params">
      <legend>Model parameters</legend>
      <div className="field-pair">
        <FormText<PromptForm>
          name="params.model"
          id="prompt-model"
          label="Model"
          hint="Empty: the model chosen in Settings (Language model)."
          spellCheck={false}
          autoComplete="off"
        />
        <div className="temperature">
          <TemperatureSlider />
          <FormText<PromptForm>
            name="params.temperature"
            id="prompt-temperature"
            label="Temperature"
            type="number"
            min={0}
            max={2}
            step={0.05}
            hint="0 to 2: lower answers the same way each time."
          />
        </div>
        <FormText<PromptForm>
          name="params.maxTokens"
          id="prompt-max-tokens"
          label="Max tokens"
          type="number"
          min={100}
          max={8192}
          step={1}
          hint="100 to 8192: the longest answer the model may write."
        />
      </div>
      <FormSelect<PromptForm>
        name="params.responseSchema"
        id="prompt-response-schema"
        label="Response schema"
        options={SCHEMAS}
        hint="The JSON the model must answer with; anything else counts as a parse failure."
      />
      <FormCheckbox<PromptForm>
        name="params.vision.enabled"
        id="prompt-vision"
        label="Send snapshots to the model (vision)"
        hint="Only for models that read images; a model that refuses them makes the version text-only."
      />
      {vision && (
        <div className="field-pair">
          <FormText<PromptForm>
            name="params.vision.maxImages"
            id="prompt-max-images"
            label="Images per event"
            type="number"
            min={1}
            max={4}
            step={1}
            hint="1 to 4, the best snapshot first."
          />
          <FormText<PromptForm>
            name="params.vision.maxSide"
            id="prompt-max-side"
            label="Longest side (pixels)"
            type="number"
            min={224}
            max={1536}
            step={1}
            hint="224 to 1536: images are scaled down to this."
          />
        </div>
      )}
    </fieldset>
  );
}
