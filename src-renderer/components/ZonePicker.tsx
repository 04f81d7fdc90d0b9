import type { Camera } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useZonesOf } from '../queries';
import { CheckboxGroup, FieldMessages, describedBy } from './Field';

interface ZonePickerProps {
  /** The cameras whose zones can be picked (the selected ones, or all for "any camera"). */
  cameras: readonly Camera[];
  /** Whether the rule is limited to chosen cameras (only the wording changes). */
  limited: boolean;
  selected: readonly string[];
  onSelectedChange: (zoneIds: string[]) => void;
  errors?: string[];
}

/** Zones grouped by camera, loaded on demand; picking none means "anywhere". */
export function ZonePicker({
  cameras,
  limited,
  selected,
  onSelectedChange,
  errors,
}: ZonePickerProps) {
  const zoneQueries = useZonesOf(cameras.map((c) => c.id));
  const invalid = !!errors && errors.length > 0;
  const hint = limited
    ? 'Zones of the selected cameras. None picked: anywhere in the image.'
    : 'Zones of every camera (no camera selected). None picked: anywhere in the image.';

  return (
    <fieldset
      className="choice-group zone-picker"
      aria-describedby={describedBy('rule-zones', true, invalid)}
    >
      <legend>Zones</legend>
      {cameras.length === 0 && <p className="muted choice-empty">No cameras yet.</p>}
      {cameras.map((camera, i) => {
        const query = zoneQueries[i];
        const zones = query?.data;
        const ids = new Set(zones?.map((z) => z.id));
        return (
          <div key={camera.id} className="zone-picker-camera">
            {query?.isError && (
              <p className="field-error">
                Could not load the zones of {camera.name}: {errorMessage(query.error)}
              </p>
            )}
            {query?.isPending && <p className="muted">Loading the zones of {camera.name}…</p>}
            {zones && (
              <CheckboxGroup
                id={`rule-zones-${camera.id}`}
                legend={camera.name}
                choices={zones.map((z) => ({ value: z.id, label: z.name }))}
                selected={selected.filter((id) => ids.has(id))}
                onSelectedChange={(picked) =>
                  onSelectedChange([...selected.filter((id) => !ids.has(id)), ...picked])
                }
                emptyText="No zones on this camera."
              />
            )}
          </div>
        );
      })}
      <FieldMessages id="rule-zones" hint={hint} errors={errors} />
    </fieldset>
  );
}
