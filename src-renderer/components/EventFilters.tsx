import type { FormEvent } from 'react';
import { useEffect, useRef, useState } from 'react';
import type { RiskLevel } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import type { ReviewedFilter } from '../event-filters';
import { RISK_LABELS, riskClass } from '../risk';
import { useCameras } from '../stores/cameras';
import { useEvents } from '../stores/events';

/** Typing pauses this long before the search runs. */
const SEARCH_DEBOUNCE_MS = 300;

/** The Events page's filter bar: search, cameras, risk levels, review state and dates. */
export function EventFilters() {
  const filters = useEvents((s) => s.filters);
  const searchError = useEvents((s) => s.searchError);
  const setFilters = useEvents((s) => s.setFilters);
  const resetFilters = useEvents((s) => s.resetFilters);
  const cameras = useCameras((s) => s.cameras);
  const [text, setText] = useState(filters.q);
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
      if (value.trim() !== useEvents.getState().filters.q.trim()) setFilters({ q: value });
    }, SEARCH_DEBOUNCE_MS);
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    runSearch(text);
  };

  const toggleLevel = (level: RiskLevel, on: boolean) => {
    const next = on
      ? [...filters.riskLevels.filter((l) => l !== level), level]
      : filters.riskLevels.filter((l) => l !== level);
    setFilters({ riskLevels: RISK_LEVELS.filter((l) => next.includes(l)) });
  };

  const onReset = () => {
    clearTimeout(timer.current);
    timer.current = undefined;
    setText('');
    resetFilters();
  };

  return (
    <form className="event-filters" aria-label="Event filters" onSubmit={onSubmit}>
      <div className="filter-search">
        <label htmlFor="event-search">Search events</label>
        <input
          id="event-search"
          type="search"
          value={text}
          maxLength={200}
          placeholder='e.g. person AND driveway, "front door", deliver*'
          autoComplete="off"
          aria-invalid={searchError ? true : undefined}
          aria-describedby={searchError ? 'event-search-error' : 'event-search-hint'}
          onChange={(e) => onSearchChange(e.target.value)}
        />
        {searchError ? (
          <p id="event-search-error" className="field-error" role="alert">
            {searchError}
          </p>
        ) : (
          <p id="event-search-hint" className="field-hint">
            Searches summaries, reasoning, camera names and objects. Press Enter to search now.
          </p>
        )}
      </div>

      <div className="filter-field">
        <label htmlFor="event-cameras">Cameras</label>
        <select
          id="event-cameras"
          multiple
          size={Math.min(4, Math.max(2, cameras.length))}
          value={filters.cameraIds}
          aria-describedby="event-cameras-hint"
          onChange={(e) =>
            setFilters({ cameraIds: Array.from(e.target.selectedOptions, (o) => o.value) })
          }
        >
          {cameras.map((camera) => (
            <option key={camera.id} value={camera.id}>
              {camera.name}
            </option>
          ))}
        </select>
        <p id="event-cameras-hint" className="field-hint">
          None selected: all cameras
        </p>
      </div>

      <fieldset className="filter-levels">
        <legend>Risk level</legend>
        {RISK_LEVELS.map((level) => (
          <label key={level} className={`level-toggle ${riskClass(level)}`}>
            <input
              type="checkbox"
              checked={filters.riskLevels.includes(level)}
              onChange={(e) => toggleLevel(level, e.target.checked)}
            />
            {RISK_LABELS[level]}
          </label>
        ))}
      </fieldset>

      <div className="filter-field">
        <label htmlFor="event-reviewed">Reviewed</label>
        <select
          id="event-reviewed"
          value={filters.reviewed}
          onChange={(e) => setFilters({ reviewed: e.target.value as ReviewedFilter })}
        >
          <option value="all">All</option>
          <option value="unreviewed">Unreviewed</option>
          <option value="reviewed">Reviewed</option>
        </select>
      </div>

      <div className="filter-field">
        <label htmlFor="event-from">From</label>
        <input
          id="event-from"
          type="datetime-local"
          value={filters.from}
          onChange={(e) => setFilters({ from: e.target.value })}
        />
      </div>
      <div className="filter-field">
        <label htmlFor="event-to">To</label>
        <input
          id="event-to"
          type="datetime-local"
          value={filters.to}
          onChange={(e) => setFilters({ to: e.target.value })}
        />
      </div>

      <div className="filter-actions">
        <button type="button" className="button button-small button-secondary" onClick={onReset}>
          Reset filters
        </button>
      </div>
    </form>
  );
}
