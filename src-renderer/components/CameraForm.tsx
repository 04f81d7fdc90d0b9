import type { FormEvent } from 'react';
import { useRef, useState } from 'react';
import type { Camera } from '../../src-shared/domain';
import { api } from '../api';
import type { FormErrors } from '../form-errors';
import { NO_ERRORS, formErrorsFrom } from '../form-errors';
import { CheckboxField, TextField } from './Field';
import { Dialog } from './Dialog';

const FIELDS = ['name', 'folder', 'enabled'] as const;

interface CameraFormProps {
  /** The camera to edit; absent to add one. */
  camera?: Camera;
  onCancel: () => void;
  onSaved: (camera: Camera, created: boolean) => void;
}

/** Add or edit a camera, in a modal dialog. Server validation shows under each field. */
export function CameraForm({ camera, onCancel, onSaved }: CameraFormProps) {
  const [name, setName] = useState(camera?.name ?? '');
  const [folder, setFolder] = useState(camera?.folder ?? '');
  const [enabled, setEnabled] = useState(camera?.enabled ?? true);
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const nameRef = useRef<HTMLInputElement>(null);

  const submit = async () => {
    setSaving(true);
    setErrors(NO_ERRORS);
    const folderPart = folder.trim() ? { folder } : {};
    try {
      const saved = camera
        ? await api.invoke('cameras.update', { id: camera.id, name, enabled, ...folderPart })
        : await api.invoke('cameras.create', { name, enabled, ...folderPart });
      onSaved(saved, !camera);
    } catch (err) {
      setErrors(formErrorsFrom(err, FIELDS));
      setSaving(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!saving) void submit();
  };

  return (
    <Dialog labelledBy="camera-form-title" onClose={onCancel} initialFocus={nameRef}>
      <form aria-label="Camera form" className="form" onSubmit={onSubmit} noValidate>
        <h2 id="camera-form-title">{camera ? 'Edit camera' : 'New camera'}</h2>
        <TextField
          id="camera-name"
          label="Name"
          value={name}
          onValueChange={setName}
          errors={errors.fields.name}
          inputRef={nameRef}
          autoFocus
          autoComplete="off"
          maxLength={200}
        />
        <TextField
          id="camera-folder"
          label="Folder (optional)"
          value={folder}
          onValueChange={setFolder}
          errors={errors.fields.folder}
          hint="The folder its snapshots are read from. Leave blank for a new folder in the app's data directory."
          autoComplete="off"
          spellCheck={false}
        />
        <CheckboxField
          id="camera-enabled"
          label="Enabled"
          checked={enabled}
          onCheckedChange={setEnabled}
          errors={errors.fields.enabled}
          hint="Disabled cameras keep their settings but their snapshots are not analysed."
        />
        {errors.form && (
          <p className="notice notice-error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving}>
            Save
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
