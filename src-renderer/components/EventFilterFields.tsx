import type { RiskLevel } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import type { EventFilterForm, ReviewedFilter } from '../event-filters';
import { RISK_LABELS, riskClass } from '../risk';
import { useCameras } from '../queries';

export interface EventFilterFieldsProps {
  /** Prefix of the fields' ids, unique on the page (`event` → `event-search`, `event-from` …). */
  idPrefix: string;
  value: EventFilterForm;
  onChange: (patch: Partial<EventFilterForm>) => void;
  /** Why the server refused the search text, shown under the search box. */
  searchError?: string | null;
  /** Shown under the search box while there is no error. */
  searchHint: string;
  /** The search box's label. */
  searchLabel?: string;
}

/**
 * The event filter fields — search, cameras, risk levels, review state and dates — with no
 * form around them, so the Events timeline and the export form share one set of controls.
 */
export function EventFilterFields({
  idPrefix,
  value,
  onChange,
  searchError,
  searchHint,
  searchLabel = 'Search events',
}: EventFilterFieldsProps) {
  const cameras = useCameras().data ?? [];
  const id = (name: string) => `${idPrefix}-${name}`;

  const toggleLevel = (level: RiskLevel, on: boolean) => {
    const next = on
      ? [...value.riskLevels.filter((l) => l !== level), level]
      : value.riskLevels.filter((l) => l !== level);
    onChange({ riskLevels: RISK_LEVELS.filter((l) => next.includes(l)) });
  };

  return (
    <>
      <div className="filter-search">
        <label htmlFor={id('search')}>{searchLabel}</label>
        <input
          id={id('search')}
          type="search"
          value={value.q}
          maxLength={200}
          placeholder='e.g. person AND driveway, "front door", deliver*'
          autoComplete="off"
          aria-invalid={searchError ? true : undefined}
          aria-describedby={searchError ? id('search-error') : id('search-hint')}
          onChange={(e) => onChange({ q: e.target.value })}
        />
        {searchError ? (
          <p id={id('search-error')} className="field-error" role="alert">
            {searchError}
          </p>
        ) : (
          <p id={id('search-hint')} className="field-hint">
            {searchHint}
          </p>
        )}
      </div>

      <div className="filter-field">
        <label htmlFor={id('cameras')}>Cameras</label>
        <select
          id={id('cameras')}
          multiple
          size={Math.min(4, Math.max(2, cameras.length))}
          value={value.cameraIds}
          aria-describedby={id('cameras-hint')}
          onChange={(e) =>
            onChange({ cameraIds: Array.from(e.target.selectedOptions, (o) => o.value) })
          }
        >
          {cameras.map((camera) => (
            <option key={camera.id} value={camera.id}>
              {camera.name}
            </option>
          ))}
        </select>
        <p id={id('cameras-hint')} className="field-hint">
          None selected: all cameras
        </p>
      </div>

      <fieldset className="filter-levels">
        <legend>Risk level</legend>
        {RISK_LEVELS.map((level) => (
          <label key={level} className={`level-toggle ${riskClass(level)}`}>
            <input
              type="checkbox"
              checked={value.riskLevels.includes(level)}
              onChange={(e) => toggleLevel(level, e.target.checked)}
            />
            {RISK_LABELS[level]}
          </label>
        ))}
      </fieldset>

      <div className="filter-field">
        <label htmlFor={id('reviewed')}>Reviewed</label>
        <select
          id={id('reviewed')}
          value={value.reviewed}
          onChange={(e) => onChange({ reviewed: e.target.value as ReviewedFilter })}
        >
          <option value="all">All</option>
          <option value="unreviewed">Unreviewed</option>
          <option value="reviewed">Reviewed</option>
        </select>
      </div>

      <div className="filter-field">
        <label htmlFor={id('from')}>From</label>
        <input
          id={id('from')}
          type="datetime-local"
          value={value.from}
          onChange={(e) => onChange({ from: e.target.value })}
        />
      </div>
      <div className="filter-field">
        <label htmlFor={id('to')}>To</label>
        <input
          id={id('to')}
          type="datetime-local"
          value={value.to}
          onChange={(e) => onChange({ to: e.target.value })}
        />
      </div>
    </>
  );
}
