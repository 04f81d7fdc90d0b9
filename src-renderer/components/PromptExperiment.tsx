/**
 * A template's experiment: the one running (variants, policy; stop it or promote a variant)
 * and the form that starts one. Split gives each event one variant by weight; shadow keeps
 * the active version deciding and runs the others beside it when the model is idle.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import type { PromptTemplateDetail } from '../../src-shared/prompts';
import type { ChannelInput } from '../../src-shared/contract';
import { useApi } from '../app-context';
import type { ExperimentForm } from '../experiment-form';
import {
  EXPERIMENT_FIELD_KEYS,
  experimentFormFrom,
  experimentFormSchema,
} from '../experiment-form';
import { FormCheckbox, FormSelect, FormText, useFieldError } from '../forms/fields';
import { Form, FormProblem } from '../forms/Form';
import { showServerErrors } from '../forms/server-errors';
import { refreshPromptTemplate } from '../server-state';
import { FieldMessages, describedBy } from './Field';
import { ExperimentRunning } from './PromptExperimentRunning';

type SetInput = ChannelInput<'prompts.experiment.set'>;

function VariantRows({ template }: { template: PromptTemplateDetail }) {
  const errors = useFieldError<ExperimentForm>('variants');
  return (
    <fieldset
      className="choice-group"
      aria-describedby={describedBy('prompt-variants', true, !!errors)}
    >
      <legend>Variants</legend>
      {template.versions.map((v, i) => (
        <div key={v.id} className="variant-row">
          <FormCheckbox<ExperimentForm>
            name={`variants.${i}.included`}
            id={`prompt-variant-${v.number}`}
            label={`Version ${v.number}${v.active ? ' (active, always in)' : ''}`}
            disabled={v.active}
          />
          <FormText<ExperimentForm>
            name={`variants.${i}.weight`}
            id={`prompt-variant-${v.number}-weight`}
            label={`Weight of version ${v.number}`}
            type="number"
            min={0}
            max={1000}
            step={1}
          />
        </div>
      ))}
      <FieldMessages
        id="prompt-variants"
        hint="Split: events go to each version in proportion to its weight. Shadow: versions with a weight above 0 also run on each event, for comparison only."
        errors={errors}
      />
    </fieldset>
  );
}

function StartForm({ template }: { template: PromptTemplateDetail }) {
  const api = useApi();
  const qc = useQueryClient();
  const schema = useMemo(
    () => experimentFormSchema(template.id, template.activeVersionId),
    [template.id, template.activeVersionId],
  );
  const form = useForm<ExperimentForm, unknown, SetInput>({
    defaultValues: experimentFormFrom(template.versions, template.experiment),
    resolver: zodResolver(schema as never) as never,
  });
  const mode = useWatch({ control: form.control, name: 'mode' });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const start = async (input: SetInput) => {
    setBusy(true);
    try {
      await api.invoke('prompts.experiment.set', input);
      refreshPromptTemplate(qc, template.id);
      setMessage(`Experiment started (${input.mode})`);
    } catch (err) {
      showServerErrors(form, err, EXPERIMENT_FIELD_KEYS);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form
      form={form}
      busy={busy}
      onValid={start}
      onEdit={() => setMessage('')}
      aria-label="Experiment form"
      className="form panel"
    >
      <h2>{template.experiment ? 'Change the experiment' : 'Start an experiment'}</h2>
      {!template.live && (
        <p className="notice notice-warn">
          Live analysis uses the live template only: an experiment here has no effect until then.
        </p>
      )}
      <FormSelect<ExperimentForm>
        name="mode"
        id="prompt-experiment-mode"
        label="Mode"
        options={[
          { value: 'split', label: 'Split: each event is analysed by one variant' },
          { value: 'shadow', label: 'Shadow: the active version decides, the others run beside' },
        ]}
      />
      <VariantRows template={template} />
      <fieldset className="choice-group">
        <legend>Automatic rollback</legend>
        <div className="field-pair">
          <FormText<ExperimentForm>
            name="rollback.parseFailureMargin"
            id="prompt-rollback-parse"
            label="Parse-failure margin"
            type="number"
            min={0}
            max={1}
            step={0.05}
            hint="0 to 1: 0.2 takes a candidate out at 20 points more parse failures than the active version."
          />
          <FormText<ExperimentForm>
            name="rollback.latencyMargin"
            id="prompt-rollback-latency"
            label="Latency margin"
            type="number"
            min={0}
            max={20}
            step={0.1}
            hint="0.5: out when its p95 latency is 50 % above the active version's."
          />
          <FormText<ExperimentForm>
            name="rollback.minRuns"
            id="prompt-rollback-runs"
            label="Minimum runs"
            type="number"
            min={1}
            max={10000}
            step={1}
            hint="A candidate is judged only after this many runs."
          />
        </div>
      </fieldset>
      <FormProblem />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {template.experiment ? 'Restart with these settings' : `Start ${mode} experiment`}
        </button>
        <p role="status" className="status-line">
          {message}
        </p>
      </div>
    </Form>
  );
}

export function PromptExperimentPanel({ template }: { template: PromptTemplateDetail }) {
  const others = template.versions.filter((v) => !v.active).length;
  const [note, setNote] = useState('');
  return (
    <>
      <p role="status" className="status-line">
        {note}
      </p>
      {template.experiment ? (
        <ExperimentRunning template={template} e={template.experiment} onDone={setNote} />
      ) : (
        <p className="muted">No experiment is running for {template.name}.</p>
      )}
      {others === 0 ? (
        <p className="empty-inline">
          An experiment compares versions: save another version in the editor first.
        </p>
      ) : (
        <StartForm
          key={`${template.activeVersionId}-${template.versions.length}`}
          template={template}
        />
      )}
    </>
  );
}
