import { useRef, useState } from 'react';
import type { Camera, CameraDeleteResult } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { Dialog } from './Dialog';

interface DeleteCameraDialogProps {
  camera: Camera;
  onCancel: () => void;
  onDeleted: (camera: Camera, result: CameraDeleteResult) => void;
}

export function DeleteCameraDialog({ camera, onCancel, onDeleted }: DeleteCameraDialogProps) {
  const api = useApi();
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const confirm = async () => {
    setDeleting(true);
    setError(null);
    try {
      const result = await api.invoke('cameras.delete', { id: camera.id });
      onDeleted(camera, result);
    } catch (err) {
      setError(errorMessage(err));
      setDeleting(false);
    }
  };

  return (
    <Dialog
      labelledBy="delete-camera-title"
      describedBy="delete-camera-text"
      onClose={onCancel}
      initialFocus={cancelRef}
      className="dialog-narrow"
    >
      <h2 id="delete-camera-title">Confirm delete</h2>
      <p id="delete-camera-text">
        Delete camera {camera.name}? Its zones, detections and events are deleted too.
      </p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button button-danger"
          disabled={deleting}
          onClick={() => void confirm()}
        >
          Delete camera
        </button>
        <button type="button" className="button" ref={cancelRef} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
