import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { ChannelInput } from '../../../src-shared/contract';
import { cameraCreateSchema } from '../../../src-shared/contract';
import type { Camera } from '../../../src-shared/domain';
import { useApi } from '../../app-context';
import { FormText } from '../../forms/fields';
import { Form, FormProblem } from '../../forms/Form';
import { showServerErrors } from '../../forms/server-errors';

type CameraInput = ChannelInput<'cameras.create'>;
const setupCameraForm = z.object({ name: z.string(), folder: z.string() });
type V = z.input<typeof setupCameraForm>;

/** A blank folder is left out: the camera gets a new folder in the data directory. */
const schema = setupCameraForm
  .transform((f): CameraInput => ({
    name: f.name,
    enabled: true,
    ...(f.folder.trim() ? { folder: f.folder.trim() } : {}),
  }))
  .pipe(cameraCreateSchema);

/** The wizard's "add a camera" form, inline (the Cameras page uses a dialog). */
export function SetupCameraForm({ onCreated }: { onCreated: (camera: Camera) => void }) {
  const api = useApi();
  const form = useForm<V, unknown, CameraInput>({
    defaultValues: { name: '', folder: '' },
    resolver: zodResolver(schema),
  });
  const [saving, setSaving] = useState(false);

  const submit = async (input: CameraInput) => {
    setSaving(true);
    try {
      const camera = await api.invoke('cameras.create', input);
      form.reset({ name: '', folder: '' });
      onCreated(camera);
    } catch (err) {
      showServerErrors(form, err, ['name', 'folder'] as const);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form form={form} onValid={submit} busy={saving} aria-label="Add a camera" className="form">
      <FormText<V>
        name="name"
        id="setup-camera-name"
        label="Camera name"
        hint="For example Front door or Driveway."
        autoComplete="off"
        maxLength={200}
      />
      <FormText<V>
        name="folder"
        id="setup-camera-folder"
        label="Folder (optional)"
        hint="Where the camera's snapshots arrive. Leave blank for a new folder in the app's data directory."
        autoComplete="off"
        spellCheck={false}
      />
      <FormProblem />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Adding…' : 'Add camera'}
        </button>
      </div>
    </Form>
  );
}
