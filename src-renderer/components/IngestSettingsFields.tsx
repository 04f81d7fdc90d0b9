import type { FieldErrors } from '../form-errors';
import type { SetField, SettingsForm } from '../settings-form';
import { PATHS } from '../settings-form';
import { CheckboxField, TextField } from './Field';

interface Props {
  form: SettingsForm;
  set: SetField;
  errors: FieldErrors;
}

/** The Settings page's Ingest group: the FTP endpoint, file checks and back-pressure. */
export function IngestSettingsFields({ form, set, errors }: Props) {
  return (
    <fieldset className="panel">
      <legend>Ingest</legend>
      <CheckboxField
        id="settings-ftp-enabled"
        label="FTP endpoint enabled"
        checked={form.ftpEnabled}
        onCheckedChange={(v) => set('ftpEnabled', v)}
        errors={errors[PATHS.ftpEnabled]}
        hint="Cameras that upload snapshots over FTP log in with the credentials set per camera."
      />
      <div className="field-pair">
        <TextField
          id="settings-ftp-host"
          label="FTP host"
          value={form.ftpHost}
          onValueChange={(v) => set('ftpHost', v)}
          errors={errors[PATHS.ftpHost]}
          hint="127.0.0.1 accepts this computer only; 0.0.0.0 accepts cameras on your network."
          spellCheck={false}
          autoComplete="off"
        />
        <TextField
          id="settings-ftp-port"
          label="FTP port"
          type="number"
          min={0}
          max={65535}
          step={1}
          value={form.ftpPort}
          onValueChange={(v) => set('ftpPort', v)}
          errors={errors[PATHS.ftpPort]}
        />
      </div>
      <div className="field-pair">
        <TextField
          id="settings-stability"
          label="Stability wait (seconds)"
          type="number"
          min={0}
          step={0.1}
          value={form.stabilitySeconds}
          onValueChange={(v) => set('stabilitySeconds', v)}
          errors={errors[PATHS.stabilitySeconds]}
          hint="A new file is read once its size has stopped changing for this long."
        />
        <TextField
          id="settings-min-bytes"
          label="Minimum file size (bytes)"
          type="number"
          min={0}
          step={1}
          value={form.minBytes}
          onValueChange={(v) => set('minBytes', v)}
          errors={errors[PATHS.minBytes]}
          hint="Smaller files are quarantined as damaged."
        />
      </div>
      <div className="field-pair">
        <TextField
          id="settings-high-water"
          label="Queue high-water mark"
          type="number"
          min={1}
          step={1}
          value={form.highWater}
          onValueChange={(v) => set('highWater', v)}
          errors={errors[PATHS.highWater]}
          hint="Above this many queued images, FTP uploads are refused so cameras retry later."
        />
        <TextField
          id="settings-low-water"
          label="Queue low-water mark"
          type="number"
          min={0}
          step={1}
          value={form.lowWater}
          onValueChange={(v) => set('lowWater', v)}
          errors={errors[PATHS.lowWater]}
          hint="Uploads are accepted again once the queue is down to this; below the high-water mark."
        />
      </div>
      <CheckboxField
        id="settings-use-polling"
        label="Watch with polling (network shares)"
        checked={form.usePolling}
        onCheckedChange={(v) => set('usePolling', v)}
        errors={errors[PATHS.usePolling]}
        hint="Needed where file-change events do not arrive (SMB/NFS shares); uses more CPU."
      />
    </fieldset>
  );
}
