import { zodResolver } from '@hookform/resolvers/zod';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useController, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import type { ChannelInput } from '../../src-shared/contract';
import { exportCreateSchema } from '../../src-shared/contract';
import { EXPORT_FORMATS } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import type { EventFilterForm } from '../event-filters';
import { EMPTY_FILTERS, toEventFilter } from '../event-filters';
import { FORMAT_CHOICES, jobFormatText } from '../export-jobs';
import { searchErrorFrom } from '../form-errors';
import { FormCheckbox, FormSelect, useFieldError } from '../forms/fields';
import { Form } from '../forms/Form';
import { formMessage } from '../forms/server-errors';
import { cacheExportJob } from '../server-state';
import { EventFilterFields } from './EventFilterFields';

const exportForm = z.object({
  format: z.enum(EXPORT_FORMATS),
  includeImages: z.boolean(),
  filters: z.custom<EventFilterForm>(),
});
type V = z.input<typeof exportForm>;
type ExportInput = ChannelInput<'exports.create'>;

/** The form → the export job to start (the timeline's filters; images only for ZIP). */
const exportFormSchema = exportForm
  .transform((f): ExportInput => ({
    format: f.format,
    filters: toEventFilter(f.filters),
    ...(f.format === 'zip' ? { includeImages: f.includeImages } : {}),
  }))
  .pipe(exportCreateSchema);

function FilterFields() {
  const { field } = useController<V, 'filters'>({ name: 'filters' });
  const searchError = useFieldError<V>('filters.q');
  return (
    <EventFilterFields
      idPrefix="export"
      value={field.value}
      onChange={(patch) => field.onChange({ ...field.value, ...patch })}
      searchError={searchError?.join(' ') ?? null}
      searchHint="Searches summaries, reasoning, camera names and objects. Leave everything empty to export every event."
    />
  );
}

/** Choose a format and the events (the timeline's filters), then start the export job. */
export function NewExportForm() {
  const api = useApi();
  const qc = useQueryClient();
  const form = useForm<V, unknown, ExportInput>({
    defaultValues: { format: 'csv', includeImages: true, filters: EMPTY_FILTERS },
    resolver: zodResolver(exportFormSchema),
  });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const format = useWatch({ control: form.control, name: 'format' });

  const start = (input: ExportInput) => {
    setBusy(true);
    api.invoke('exports.create', input).then(
      (job) => {
        setBusy(false);
        cacheExportJob(qc, job);
        setMessage(`${jobFormatText(job)} export started — it is listed below.`);
      },
      (err: unknown) => {
        setBusy(false);
        const search = searchErrorFrom(err);
        if (search) form.setError('filters.q', { type: 'server', message: search });
        else {
          form.setError('root.server', {
            type: 'server',
            message: `Could not start the export: ${errorMessage(err)}`,
          });
        }
      },
    );
  };

  const problem = formMessage(form);
  return (
    <section className="panel new-export" aria-labelledby="new-export-title">
      <h2 id="new-export-title">New export</h2>
      <Form
        form={form}
        onValid={start}
        busy={busy}
        onEdit={() => setMessage(null)}
        aria-labelledby="new-export-title"
      >
        <div className="export-format-row">
          <FormSelect<V> name="format" id="export-format" label="Format" options={FORMAT_CHOICES} />
          {format === 'zip' && (
            <FormCheckbox<V>
              name="includeImages"
              id="export-images"
              label="Include snapshot images"
              hint="Adds each event's snapshots to the archive; larger and slower."
            />
          )}
        </div>

        <h3 className="subheading" id="export-filters-title">
          Events to export
        </h3>
        <div
          className="event-filters export-filters"
          role="group"
          aria-labelledby="export-filters-title"
        >
          <FilterFields />
        </div>

        {problem && (
          <div className="notice notice-error" role="alert">
            <p>{problem}</p>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            Start export
          </button>
          <span className="status-line" role="status">
            {message}
          </span>
        </div>
      </Form>
    </section>
  );
}
