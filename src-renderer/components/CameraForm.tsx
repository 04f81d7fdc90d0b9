import { zodResolver } from '@hookform/resolvers/zod';
import { useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { ChannelInput } from '../../src-shared/contract';
import { cameraCreateSchema } from '../../src-shared/contract';
import type { Camera } from '../../src-shared/domain';
import { useApi } from '../app-context';
import { FormCheckbox, FormText } from '../forms/fields';
import { Form, FormProblem } from '../forms/Form';
import { showServerErrors } from '../forms/server-errors';
import { Dialog } from './Dialog';

const FIELDS = ['name', 'folder', 'enabled'] as const;

const cameraForm = z.object({ name: z.string(), folder: z.string(), enabled: z.boolean() });
type V = z.input<typeof cameraForm>;
type CameraInput = ChannelInput<'cameras.create'>;

/** A blank folder is left out: the camera gets a new folder in the data directory. */
const cameraFormSchema = cameraForm
  .transform((f): CameraInput => ({
    name: f.name,
    enabled: f.enabled,
    ...(f.folder.trim() ? { folder: f.folder } : {}),
  }))
  .pipe(cameraCreateSchema);

interface CameraFormProps {
  /** The camera to edit; absent to add one. */
  camera?: Camera;
  onCancel: () => void;
  onSaved: (camera: Camera, created: boolean) => void;
}

/** Add or edit a camera, in a modal dialog. Validation shows under each field. */
export function CameraForm({ camera, onCancel, onSaved }: CameraFormProps) {
  const api = useApi();
  const form = useForm<V, unknown, CameraInput>({
    defaultValues: {
      name: camera?.name ?? '',
      folder: camera?.folder ?? '',
      enabled: camera?.enabled ?? true,
    },
    resolver: zodResolver(cameraFormSchema),
  });
  const [saving, setSaving] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  const submit = async (input: CameraInput) => {
    setSaving(true);
    try {
      const saved = camera
        ? await api.invoke('cameras.update', { id: camera.id, ...input })
        : await api.invoke('cameras.create', input);
      onSaved(saved, !camera);
    } catch (err) {
      showServerErrors(form, err, FIELDS);
      setSaving(false);
    }
  };

  return (
    <Dialog labelledBy="camera-form-title" onClose={onCancel} initialFocus={nameRef}>
      <Form form={form} onValid={submit} busy={saving} aria-label="Camera form" className="form">
        <h2 id="camera-form-title">{camera ? 'Edit camera' : 'New camera'}</h2>
        <FormText<V>
          name="name"
          id="camera-name"
          label="Name"
          inputRef={nameRef}
          autoFocus
          autoComplete="off"
          maxLength={200}
        />
        <FormText<V>
          name="folder"
          id="camera-folder"
          label="Folder (optional)"
          hint="The folder its snapshots are read from. Leave blank for a new folder in the app's data directory."
          autoComplete="off"
          spellCheck={false}
        />
        <FormCheckbox<V>
          name="enabled"
          id="camera-enabled"
          label="Enabled"
          hint="Disabled cameras keep their settings but their snapshots are not analysed."
        />
        <FormProblem />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving}>
            Save
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
