import type { FormEvent } from 'react';
import { useState } from 'react';
import type { ExportFormat } from '../../src-shared/domain';
import { errorMessage } from '../api';
import type { EventFilterForm } from '../event-filters';
import { EMPTY_FILTERS, toEventFilter } from '../event-filters';
import { FORMAT_CHOICES, isExportFormat, jobFormatText } from '../export-jobs';
import { searchErrorFrom } from '../form-errors';
import { useExports } from '../stores/exports';
import { EventFilterFields } from './EventFilterFields';
import { CheckboxField, SelectField } from './Field';

/** Choose a format and the events (the timeline's filters), then start the export job. */
export function NewExportForm() {
  const create = useExports((s) => s.create);
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [includeImages, setIncludeImages] = useState(true);
  const [filters, setFilters] = useState<EventFilterForm>(EMPTY_FILTERS);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const onFiltersChange = (patch: Partial<EventFilterForm>) => {
    setFilters((f) => ({ ...f, ...patch }));
    if (patch.q !== undefined) setSearchError(null);
    setMessage(null);
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    setSearchError(null);
    setFormError(null);
    create({
      format,
      filters: toEventFilter(filters),
      ...(format === 'zip' ? { includeImages } : {}),
    }).then(
      (job) => {
        setBusy(false);
        setMessage(`${jobFormatText(job)} export started — it is listed below.`);
      },
      (err: unknown) => {
        setBusy(false);
        const search = searchErrorFrom(err);
        if (search) setSearchError(search);
        else setFormError(`Could not start the export: ${errorMessage(err)}`);
      },
    );
  };

  return (
    <section className="panel new-export" aria-labelledby="new-export-title">
      <h2 id="new-export-title">New export</h2>
      <form aria-labelledby="new-export-title" noValidate onSubmit={onSubmit}>
        <div className="export-format-row">
          <SelectField
            id="export-format"
            label="Format"
            value={format}
            options={FORMAT_CHOICES}
            onValueChange={(value) => {
              if (isExportFormat(value)) setFormat(value);
              setMessage(null);
            }}
          />
          {format === 'zip' && (
            <CheckboxField
              id="export-images"
              label="Include snapshot images"
              hint="Adds each event's snapshots to the archive; larger and slower."
              checked={includeImages}
              onCheckedChange={setIncludeImages}
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
          <EventFilterFields
            idPrefix="export"
            value={filters}
            onChange={onFiltersChange}
            searchError={searchError}
            searchHint="Searches summaries, reasoning, camera names and objects. Leave everything empty to export every event."
          />
        </div>

        {formError && (
          <div className="notice notice-error" role="alert">
            <p>{formError}</p>
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
      </form>
    </section>
  );
}
