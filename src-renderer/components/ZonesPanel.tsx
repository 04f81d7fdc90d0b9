import { zodResolver } from '@hookform/resolvers/zod';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { ChannelInput } from '../../src-shared/contract';
import { zoneCreateSchema } from '../../src-shared/contract';
import type { Camera, Point, Zone } from '../../src-shared/domain';
import { ZONE_KINDS } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { FormSelect, FormText } from '../forms/fields';
import { Form, FormProblem } from '../forms/Form';
import { showServerErrors } from '../forms/server-errors';
import { plural } from '../format';
import { useZones } from '../queries';
import { keys } from '../server-state';

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

const zoneForm = z.object({ name: z.string(), kind: z.enum(ZONE_KINDS), points: z.string() });
type V = z.input<typeof zoneForm>;
type ZoneInput = ChannelInput<'zones.create'>;

/** The form → a zone of this camera (points typed as "x,y x,y …"), checked by the contract. */
function zoneFormSchema(cameraId: string) {
  return zoneForm
    .transform((f, ctx): ZoneInput => {
      const points = parsePoints(f.points);
      if (!points) {
        ctx.addIssue({
          code: 'custom',
          path: ['points'],
          message: 'Enter x,y pairs between 0 and 1, separated by spaces',
        });
      }
      return { cameraId, name: f.name, kind: f.kind, points: points ?? [] };
    })
    .pipe(zoneCreateSchema);
}

function AddZoneForm({ camera, onAdded }: { camera: Camera; onAdded: (zone: Zone) => void }) {
  const api = useApi();
  const schema = useMemo(() => zoneFormSchema(camera.id), [camera.id]);
  const form = useForm<V, unknown, ZoneInput>({
    defaultValues: { name: '', kind: 'polygon', points: '' },
    resolver: zodResolver(schema),
  });
  const [saving, setSaving] = useState(false);
  const prefix = `zone-${camera.id}`;

  const submit = async (input: ZoneInput) => {
    setSaving(true);
    try {
      const zone = await api.invoke('zones.create', input);
      onAdded(zone);
      form.reset();
    } catch (err) {
      showServerErrors(form, err, ZONE_FIELDS);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form
      form={form}
      onValid={submit}
      busy={saving}
      className="form form-inline"
      aria-label={`Add zone for ${camera.name}`}
    >
      <FormText<V> name="name" id={`${prefix}-name`} label="Zone name" autoComplete="off" />
      <FormSelect<V>
        name="kind"
        id={`${prefix}-kind`}
        label="Kind"
        options={ZONE_KINDS.map((kind) => ({ value: kind, label: kind }))}
      />
      <FormText<V>
        name="points"
        id={`${prefix}-points`}
        label="Points"
        hint="x,y pairs from 0 to 1 (share of the image), separated by spaces: 0.1,0.1 0.9,0.1 0.5,0.9"
        autoComplete="off"
        spellCheck={false}
      />
      <FormProblem />
      <div className="form-actions">
        <button type="submit" className="button" disabled={saving}>
          Add zone
        </button>
      </div>
    </Form>
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
  const api = useApi();
  const qc = useQueryClient();
  const query = useZones(camera.id);
  const zones = query.data ?? null;
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const error = deleteError ?? (query.isError ? errorMessage(query.error) : null);
  const setZones = (update: (current: Zone[] | undefined) => Zone[]) =>
    qc.setQueryData<Zone[]>(keys.zones(camera.id), update);

  const remove = async (zone: Zone) => {
    setBusy(true);
    try {
      await api.invoke('zones.delete', { id: zone.id });
      setZones((current) => (current ?? []).filter((z) => z.id !== zone.id));
      onMessage(`Deleted zone ${zone.name}`);
      setDeleteError(null);
    } catch (err) {
      setDeleteError(errorMessage(err));
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
          risk, or areas to ignore (a false positive that keeps coming back at one spot).
        </p>
      )}
      {zones && zones.length > 0 && (
        <ul className="zone-list">
          {zones.map((zone) => (
            <li key={zone.id} data-testid={`zone-row-${zone.id}`}>
              <span className="zone-swatch" style={{ background: zone.color }} aria-hidden="true" />
              <span className="zone-name">{zone.name}</span>
              <span className="muted">
                {zone.kind === 'ignore'
                  ? `ignores ${zone.objectClasses?.join(', ') ?? 'every class'}`
                  : zone.kind}{' '}
                · {plural(zone.points.length, 'point')}
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
