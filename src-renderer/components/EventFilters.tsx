import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import type { EventFilterForm } from '../event-filters';
import { toEventFilter } from '../event-filters';
import { searchErrorFrom } from '../form-errors';
import { routeHref } from '../routes';
import { cacheExportJob } from '../server-state';
import { useEventsView } from '../stores/events-view';
import { useToasts } from '../stores/toasts';
import { useEventsTimeline } from '../timeline';
import { EventFilterFields } from './EventFilterFields';

/** Typing pauses this long before the search runs. */
const SEARCH_DEBOUNCE_MS = 300;

/**
 * The Events page's filter bar: search, cameras, risk levels, review state and dates, and a
 * quick CSV export of what they match.
 */
export function EventFilters() {
  const api = useApi();
  const qc = useQueryClient();
  const filters = useEventsView((s) => s.filters);
  const { searchError } = useEventsTimeline();
  const setFilters = useEventsView((s) => s.setFilters);
  const resetFilters = useEventsView((s) => s.resetFilters);
  const [text, setText] = useState(filters.q);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const runSearch = (value: string) => {
    clearTimeout(timer.current);
    timer.current = undefined;
    setFilters({ q: value });
  };

  const onSearchChange = (value: string) => {
    setText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = undefined;
      if (value.trim() !== useEventsView.getState().filters.q.trim()) setFilters({ q: value });
    }, SEARCH_DEBOUNCE_MS);
  };

  const onChange = (patch: Partial<EventFilterForm>) => {
    const { q, ...rest } = patch;
    if (q !== undefined) onSearchChange(q);
    if (Object.keys(rest).length > 0) setFilters(rest);
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    runSearch(text);
  };

  const onReset = () => {
    clearTimeout(timer.current);
    timer.current = undefined;
    setText('');
    resetFilters();
  };

  // Exports what the form shows, the search still being typed included.
  const onQuickExport = () => {
    if (timer.current !== undefined) runSearch(text);
    setExporting(true);
    setExportError(null);
    api
      .invoke('exports.create', { format: 'csv', filters: toEventFilter({ ...filters, q: text }) })
      .then(
        (job) => {
          cacheExportJob(qc, job);
          setExporting(false);
          useToasts.getState().show({
            title: 'Export started',
            body: 'A CSV of the events these filters match.',
            link: { href: routeHref('exports'), label: 'Open Exports' },
          });
        },
        (err: unknown) => {
          setExporting(false);
          setExportError(
            `Could not start the export: ${searchErrorFrom(err) ?? errorMessage(err)}`,
          );
        },
      );
  };

  return (
    <form className="event-filters" aria-label="Event filters" onSubmit={onSubmit}>
      <EventFilterFields
        idPrefix="event"
        value={{ ...filters, q: text }}
        onChange={onChange}
        searchError={searchError}
        searchHint="Searches summaries, reasoning, camera names and objects. Press Enter to search now."
      />

      <div className="filter-actions">
        <button type="button" className="button button-small button-secondary" onClick={onReset}>
          Reset filters
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={exporting}
          aria-describedby="quick-export-hint"
          onClick={onQuickExport}
        >
          Quick export
        </button>
        <span id="quick-export-hint" className="visually-hidden">
          Starts a CSV export of the events these filters match
        </span>
      </div>
      {exportError && (
        <p className="field-error filter-export-error" role="alert">
          {exportError}
        </p>
      )}
    </form>
  );
}
