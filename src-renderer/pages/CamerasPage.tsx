import { useQueryClient } from '@tanstack/react-query';
import { Fragment, useRef, useState } from 'react';
import type { ImportResult } from '../../src-shared/contract';
import type { Camera, CameraDeleteResult } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { CAMERA_COLUMNS, CameraRow } from '../components/CameraRow';
import { CameraForm } from '../components/CameraForm';
import { DeleteCameraDialog } from '../components/DeleteCameraDialog';
import { FtpDialog } from '../components/FtpDialog';
import { IngestPanel } from '../components/IngestPanel';
import { ZonesPanel } from '../components/ZonesPanel';
import { baseName, plural } from '../format';
import { useCameras, useSnapshots } from '../queries';
import { cacheCamera, uncacheCamera } from '../server-state';
import { toggled } from '../stores/selection';

type Editing = { mode: 'add' } | { mode: 'edit'; camera: Camera } | null;

interface Message {
  text: string;
  tone: 'good' | 'warn';
}

const NO_MESSAGE: Message = { text: '', tone: 'good' };
const MAX_REJECTIONS_SHOWN = 5;

function deletedMessage(camera: Camera, { deleted }: CameraDeleteResult): string {
  return (
    `Deleted ${camera.name} (${plural(deleted.zones, 'zone')}, ` +
    `${plural(deleted.events, 'event')}, ${plural(deleted.detections, 'detection')} removed)`
  );
}

/** "Queued 2 images for Front Door. Rejected notes.txt (Only .jpg, …)." */
function importMessage(camera: Camera, { queued, rejected }: ImportResult): Message {
  const parts = [
    queued > 0
      ? `Queued ${plural(queued, 'image')} for ${camera.name}`
      : `No images queued for ${camera.name}`,
  ];
  if (rejected.length > 0) {
    const shown = rejected
      .slice(0, MAX_REJECTIONS_SHOWN)
      .map((r) => `${baseName(r.path)} (${r.reason})`);
    const more = rejected.length - shown.length;
    parts.push(`Rejected ${shown.join('; ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return { text: parts.join('. '), tone: rejected.length > 0 ? 'warn' : 'good' };
}

export function CamerasPage() {
  const api = useApi();
  const qc = useQueryClient();
  const camerasQuery = useCameras();
  const cameras = camerasQuery.data ?? [];
  const snapshots = useSnapshots().data ?? {};
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Camera | null>(null);
  const [ftpFor, setFtpFor] = useState<string | null>(null);
  const [openZones, setOpenZones] = useState<ReadonlySet<string>>(new Set());
  const [importing, setImporting] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<Message>(NO_MESSAGE);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const say = (text: string) => setMessage({ text, tone: 'good' });

  const onSaved = (camera: Camera, created: boolean) => {
    cacheCamera(qc, camera);
    setEditing(null);
    say(created ? `Added ${camera.name}` : `Saved ${camera.name}`);
  };

  const onDeleted = (camera: Camera, result: CameraDeleteResult) => {
    uncacheCamera(qc, camera.id);
    setDeleting(null);
    say(deletedMessage(camera, result));
    headingRef.current?.focus();
  };

  const importInto = async (camera: Camera, files: File[]) => {
    setImporting((current) => toggled(current, camera.id, true));
    say(`Importing ${plural(files.length, 'file')} into ${camera.name}…`);
    try {
      setMessage(importMessage(camera, await api.uploadFiles(camera.id, files)));
    } catch (err) {
      setMessage({
        text: `Could not import into ${camera.name}: ${errorMessage(err)}`,
        tone: 'warn',
      });
    } finally {
      setImporting((current) => toggled(current, camera.id, false));
    }
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
  const empty = camerasQuery.isSuccess && cameras.length === 0;
  const ftpCamera = ftpFor === null ? undefined : cameras.find((c) => c.id === ftpFor);

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" ref={headingRef} tabIndex={-1}>
          Cameras &amp; Zones
        </h1>
        {!empty && !camerasQuery.isError && addButton}
      </header>
      <p className="page-intro">
        Each camera reads snapshots from its folder (or FTP uploads); zones mark the areas and lines
        that matter. Drop images on a camera to import them.
      </p>
      <IngestPanel />
      <p role="status" className={`status-line status-line-${message.tone}`}>
        {message.text}
      </p>

      {camerasQuery.isError && (
        <div className="notice notice-error" role="alert">
          <p>Could not load cameras: {errorMessage(camerasQuery.error)}</p>
          <button type="button" className="button" onClick={() => void camerasQuery.refetch()}>
            Try again
          </button>
        </div>
      )}
      {camerasQuery.isPending && <p className="muted">Loading cameras…</p>}

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
          <table className="table camera-table">
            <caption className="visually-hidden">Cameras</caption>
            <thead>
              <tr>
                <th scope="col">Latest snapshot</th>
                <th scope="col">Name and folder</th>
                <th scope="col">Status</th>
                <th scope="col">Enabled</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {cameras.map((camera) => (
                <Fragment key={camera.id}>
                  <CameraRow
                    camera={camera}
                    snapshot={snapshots[camera.id]}
                    zonesOpen={openZones.has(camera.id)}
                    importing={importing.has(camera.id)}
                    onToggleZones={() => setOpenZones((current) => toggled(current, camera.id))}
                    onEdit={() => setEditing({ mode: 'edit', camera })}
                    onDelete={() => setDeleting(camera)}
                    onFtp={() => setFtpFor(camera.id)}
                    onImport={(files) => void importInto(camera, files)}
                  />
                  {openZones.has(camera.id) && (
                    <tr className="zones-row" id={`zones-${camera.id}`}>
                      <td colSpan={CAMERA_COLUMNS}>
                        <ZonesPanel camera={camera} onMessage={say} />
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
      {ftpCamera && (
        <FtpDialog
          camera={ftpCamera}
          onClose={() => setFtpFor(null)}
          onCameraChanged={(camera) => cacheCamera(qc, camera)}
        />
      )}
    </section>
  );
}
