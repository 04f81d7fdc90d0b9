import { Fragment, useEffect, useRef, useState } from 'react';
import type { Camera, CameraDeleteResult } from '../../src-shared/domain';
import { CameraForm } from '../components/CameraForm';
import { DeleteCameraDialog } from '../components/DeleteCameraDialog';
import { StatusBadge } from '../components/StatusBadge';
import { ZonesPanel } from '../components/ZonesPanel';
import { plural, timeAgo } from '../format';
import { useCameras } from '../stores/cameras';
import { useConnection } from '../stores/connection';

type Editing = { mode: 'add' } | { mode: 'edit'; camera: Camera } | null;

function deletedMessage(camera: Camera, { deleted }: CameraDeleteResult): string {
  return (
    `Deleted ${camera.name} (${plural(deleted.zones, 'zone')}, ` +
    `${plural(deleted.events, 'event')}, ${plural(deleted.detections, 'detection')} removed)`
  );
}

interface CameraRowProps {
  camera: Camera;
  zonesOpen: boolean;
  onToggleZones: () => void;
  onEdit: () => void;
  onDelete: () => void;
}

function CameraRow({ camera, zonesOpen, onToggleZones, onEdit, onDelete }: CameraRowProps) {
  return (
    <tr data-testid={`camera-row-${camera.id}`}>
      <td className="cell-name">{camera.name}</td>
      <td>
        <StatusBadge status={camera.status} title={`Last seen ${timeAgo(camera.lastSeenAt)}`} />
      </td>
      <td>
        <code className="path" title={camera.folder}>
          {camera.folder}
        </code>
      </td>
      <td>{camera.enabled ? 'Yes' : 'No'}</td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="button button-small"
            aria-label={`Zones for ${camera.name}`}
            aria-expanded={zonesOpen}
            aria-controls={`zones-${camera.id}`}
            onClick={onToggleZones}
          >
            Zones
          </button>
          <button
            type="button"
            className="button button-small"
            aria-label={`Edit ${camera.name}`}
            onClick={onEdit}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-small button-danger-quiet"
            aria-label={`Delete ${camera.name}`}
            onClick={onDelete}
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}

export function CamerasPage() {
  const cameras = useCameras((s) => s.cameras);
  const status = useCameras((s) => s.status);
  const loadError = useCameras((s) => s.error);
  const reconnects = useConnection((s) => s.reconnects);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Camera | null>(null);
  const [openZones, setOpenZones] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void useCameras.getState().load();
  }, [reconnects]);

  const toggleZones = (id: string) => {
    setOpenZones((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };

  const onSaved = (camera: Camera, created: boolean) => {
    useCameras.getState().upsert(camera);
    setEditing(null);
    setMessage(created ? `Added ${camera.name}` : `Saved ${camera.name}`);
  };

  const onDeleted = (camera: Camera, result: CameraDeleteResult) => {
    useCameras.getState().remove(camera.id);
    setDeleting(null);
    setMessage(deletedMessage(camera, result));
    headingRef.current?.focus();
  };

  const addButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setEditing({ mode: 'add' })}
    >
      Add camera
    </button>
  );
  const empty = status === 'ready' && cameras.length === 0;

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" ref={headingRef} tabIndex={-1}>
          Cameras &amp; Zones
        </h1>
        {!empty && status !== 'error' && addButton}
      </header>
      <p className="page-intro">
        Each camera reads snapshots from its folder; zones mark the areas and lines that matter.
      </p>
      <p role="status" className="status-line">
        {message}
      </p>

      {status === 'error' && (
        <div className="notice notice-error" role="alert">
          <p>Could not load cameras: {loadError}</p>
          <button
            type="button"
            className="button"
            onClick={() => void useCameras.getState().load()}
          >
            Try again
          </button>
        </div>
      )}
      {(status === 'idle' || status === 'loading') && <p className="muted">Loading cameras…</p>}

      {empty && (
        <div className="panel empty">
          <p className="empty-title">No cameras yet</p>
          <p>
            Add a camera to start: its snapshots are read from its folder (a new folder in the
            app&apos;s data directory unless you choose one), and each one is analysed for threats.
          </p>
          {addButton}
        </div>
      )}

      {cameras.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Cameras</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Folder</th>
                <th scope="col">Enabled</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {cameras.map((camera) => (
                <Fragment key={camera.id}>
                  <CameraRow
                    camera={camera}
                    zonesOpen={openZones.has(camera.id)}
                    onToggleZones={() => toggleZones(camera.id)}
                    onEdit={() => setEditing({ mode: 'edit', camera })}
                    onDelete={() => setDeleting(camera)}
                  />
                  {openZones.has(camera.id) && (
                    <tr className="zones-row" id={`zones-${camera.id}`}>
                      <td colSpan={5}>
                        <ZonesPanel camera={camera} onMessage={setMessage} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {editing && (
        <CameraForm
          key={editing.mode === 'edit' ? editing.camera.id : 'new'}
          camera={editing.mode === 'edit' ? editing.camera : undefined}
          onCancel={() => setEditing(null)}
          onSaved={onSaved}
        />
      )}
      {deleting && (
        <DeleteCameraDialog
          camera={deleting}
          onCancel={() => setDeleting(null)}
          onDeleted={onDeleted}
        />
      )}
    </section>
  );
}
