import type { FormEvent } from 'react';
import { useEffect, useState } from 'react';
import type { Camera, Point, Zone, ZoneKind } from '../../src-shared/domain';
import { api, errorMessage } from '../api';
import type { FormErrors } from '../form-errors';
import { NO_ERRORS, formErrorsFrom } from '../form-errors';
import { plural } from '../format';
import { TextField } from './Field';

/** "0.1,0.2 0.9,0.2 0.5,0.9" → points, or null when it is not a list of x,y pairs. */
export function parsePoints(text: string): Point[] | null {
  const pairs = text.trim().split(/\s+/).filter(Boolean);
  if (pairs.length === 0) return null;
  const points: Point[] = [];
  for (const pair of pairs) {
    const [x, y, extra] = pair.split(',');
    if (x === undefined || y === undefined || extra !== undefined) return null;
    const nx = Number(x);
    const ny = Number(y);
    if (x === '' || y === '' || !Number.isFinite(nx) || !Number.isFinite(ny)) return null;
    points.push([nx, ny]);
  }
  return points;
}

const ZONE_FIELDS = ['name', 'kind', 'points'] as const;

function AddZoneForm({ camera, onAdded }: { camera: Camera; onAdded: (zone: Zone) => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ZoneKind>('polygon');
  const [pointsText, setPointsText] = useState('');
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const prefix = `zone-${camera.id}`;

  const submit = async (points: Point[]) => {
    setSaving(true);
    try {
      const zone = await api.invoke('zones.create', { cameraId: camera.id, name, kind, points });
      onAdded(zone);
      setName('');
      setPointsText('');
    } catch (err) {
      setErrors(formErrorsFrom(err, ZONE_FIELDS));
    } finally {
      setSaving(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const points = parsePoints(pointsText);
    if (!points) {
      setErrors({
        fields: { points: ['Enter x,y pairs between 0 and 1, separated by spaces'] },
        form: null,
      });
      return;
    }
    setErrors(NO_ERRORS);
    void submit(points);
  };

  return (
    <form
      className="form form-inline"
      aria-label={`Add zone for ${camera.name}`}
      onSubmit={onSubmit}
      noValidate
    >
      <TextField
        id={`${prefix}-name`}
        label="Zone name"
        value={name}
        onValueChange={setName}
        errors={errors.fields.name}
        autoComplete="off"
      />
      <div className="field">
        <label htmlFor={`${prefix}-kind`}>Kind</label>
        <select
          id={`${prefix}-kind`}
          value={kind}
          onChange={(e) => setKind(e.target.value === 'line' ? 'line' : 'polygon')}
        >
          <option value="polygon">polygon</option>
          <option value="line">line</option>
        </select>
      </div>
      <TextField
        id={`${prefix}-points`}
        label="Points"
        value={pointsText}
        onValueChange={setPointsText}
        errors={errors.fields.points}
        hint="x,y pairs from 0 to 1 (share of the image), separated by spaces: 0.1,0.1 0.9,0.1 0.5,0.9"
        autoComplete="off"
        spellCheck={false}
      />
      {errors.form && (
        <p className="notice notice-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={saving}>
          Add zone
        </button>
      </div>
    </form>
  );
}

/** The zones of one camera: list, delete, and a small add form (no drawing editor yet). */
export function ZonesPanel({
  camera,
  onMessage,
}: {
  camera: Camera;
  /** Reports a short outcome ("Deleted zone Porch") for the page's status line. */
  onMessage: (message: string) => void;
}) {
  const [zones, setZones] = useState<Zone[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.invoke('zones.list', { cameraId: camera.id }).then(
      (result) => {
        if (live) setZones(result);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [camera.id]);

  const remove = async (zone: Zone) => {
    setBusy(true);
    try {
      await api.invoke('zones.delete', { id: zone.id });
      setZones((current) => current?.filter((z) => z.id !== zone.id) ?? null);
      onMessage(`Deleted zone ${zone.name}`);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      setConfirming(null);
    }
  };

  return (
    <div className="zones">
      <h3 className="subheading">Zones for {camera.name}</h3>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {zones === null && !error && <p className="muted">Loading zones…</p>}
      {zones?.length === 0 && (
        <p className="muted">
          No zones yet. Zones mark areas (polygons) or tripwires (lines) that raise an event&apos;s
          risk.
        </p>
      )}
      {zones && zones.length > 0 && (
        <ul className="zone-list">
          {zones.map((zone) => (
            <li key={zone.id} data-testid={`zone-row-${zone.id}`}>
              <span className="zone-swatch" style={{ background: zone.color }} aria-hidden="true" />
              <span className="zone-name">{zone.name}</span>
              <span className="muted">
                {zone.kind} · {plural(zone.points.length, 'point')}
              </span>
              {confirming === zone.id ? (
                <span className="inline-confirm">
                  <span>Delete zone {zone.name}?</span>
                  <button
                    type="button"
                    className="button button-small button-danger"
                    disabled={busy}
                    aria-label={`Confirm delete zone ${zone.name}`}
                    onClick={() => void remove(zone)}
                  >
                    Delete
                  </button>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setConfirming(null)}
                  >
                    Keep
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  className="button button-small"
                  aria-label={`Delete zone ${zone.name}`}
                  onClick={() => setConfirming(zone.id)}
                >
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <AddZoneForm
        camera={camera}
        onAdded={(zone) => {
          setZones((current) => [...(current ?? []), zone]);
          onMessage(`Added zone ${zone.name}`);
        }}
      />
    </div>
  );
}
