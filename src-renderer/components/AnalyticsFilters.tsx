/** What the Analytics page shows: a range (a preset or two days) and the cameras (none: all). */
import type { Camera } from '../../src-shared/domain';
import type { RangePreset } from '../analytics-data';
import { RANGE_PRESETS, rangeDays, rangeProblem } from '../analytics-data';
import { useAnalyticsView } from '../stores/analytics-view';
import { CheckboxGroup, TextField } from './Field';

export function AnalyticsFilters({ cameras }: { cameras: readonly Camera[] | undefined }) {
  const range = useAnalyticsView((s) => s.range);
  const setRange = useAnalyticsView((s) => s.setRange);
  const cameraIds = useAnalyticsView((s) => s.cameraIds);
  const setCameraIds = useAnalyticsView((s) => s.setCameraIds);
  const custom = range.preset === 'custom' ? range : null;
  const problem = rangeProblem(range);
  const pick = (preset: RangePreset) => setRange({ preset });
  // A custom range starts as the days shown, to adjust from there.
  const pickCustom = () => {
    if (!custom) setRange({ preset: 'custom', ...rangeDays(range) });
  };

  return (
    <section className="panel analytics-filters" aria-labelledby="analytics-filters-title">
      <h2 id="analytics-filters-title" className="visually-hidden">
        What to show
      </h2>
      <div className="analytics-range">
        <div role="group" aria-label="Range" className="range-presets">
          {RANGE_PRESETS.map((p) => (
            <button
              key={p}
              type="button"
              className="button button-small"
              aria-pressed={range.preset === p}
              onClick={() => pick(p)}
            >
              Last {p} days
            </button>
          ))}
          <button
            type="button"
            className="button button-small"
            aria-pressed={custom !== null}
            onClick={pickCustom}
          >
            Custom
          </button>
        </div>
        {custom && (
          <div className="field-pair">
            <TextField
              id="analytics-from"
              label="From"
              type="date"
              value={custom.from}
              max={custom.to || undefined}
              onValueChange={(from) => setRange({ ...custom, from })}
              hint="Days run from midnight to midnight UTC."
            />
            <TextField
              id="analytics-to"
              label="To"
              type="date"
              value={custom.to}
              min={custom.from || undefined}
              onValueChange={(to) => setRange({ ...custom, to })}
              errors={problem ? [problem] : undefined}
            />
          </div>
        )}
      </div>
      <CheckboxGroup
        id="analytics-cameras"
        legend="Cameras"
        choices={(cameras ?? []).map((c) => ({ value: c.id, label: c.name }))}
        selected={cameraIds}
        onSelectedChange={setCameraIds}
        hint="None ticked: every camera."
        emptyText={cameras ? 'No cameras yet.' : 'Loading cameras…'}
      />
    </section>
  );
}
