import { FormCheckbox, FormText } from '../forms/fields';
import type { SettingsForm as V } from '../settings-form';

/** The Settings page's Ingest group: the FTP endpoint, file checks and back-pressure. */
export function IngestSettingsFields() {
  return (
    <fieldset className="panel">
      <legend>Ingest</legend>
      <FormCheckbox<V>
        name="ingest.ftp.enabled"
        id="settings-ftp-enabled"
        label="FTP endpoint enabled"
        hint="Cameras that upload snapshots over FTP log in with the credentials set per camera."
      />
      <div className="field-pair">
        <FormText<V>
          name="ingest.ftp.host"
          id="settings-ftp-host"
          label="FTP host"
          hint="127.0.0.1 accepts this computer only; 0.0.0.0 accepts cameras on your network."
          spellCheck={false}
          autoComplete="off"
        />
        <FormText<V>
          name="ingest.ftp.port"
          id="settings-ftp-port"
          label="FTP port"
          type="number"
          min={0}
          max={65535}
          step={1}
        />
      </div>
      <div className="field-pair">
        <FormText<V>
          name="ingest.stabilitySeconds"
          id="settings-stability"
          label="Stability wait (seconds)"
          type="number"
          min={0}
          step={0.1}
          hint="A new file is read once its size has stopped changing for this long."
        />
        <FormText<V>
          name="ingest.minBytes"
          id="settings-min-bytes"
          label="Minimum file size (bytes)"
          type="number"
          min={0}
          step={1}
          hint="Smaller files are quarantined as damaged."
        />
      </div>
      <div className="field-pair">
        <FormText<V>
          name="ingest.highWater"
          id="settings-high-water"
          label="Queue high-water mark"
          type="number"
          min={1}
          step={1}
          hint="Above this many queued images, FTP uploads are refused so cameras retry later."
        />
        <FormText<V>
          name="ingest.lowWater"
          id="settings-low-water"
          label="Queue low-water mark"
          type="number"
          min={0}
          step={1}
          hint="Uploads are accepted again once the queue is down to this; below the high-water mark."
        />
      </div>
      <FormCheckbox<V>
        name="ingest.usePolling"
        id="settings-use-polling"
        label="Watch with polling (network shares)"
        hint="Needed where file-change events do not arrive (SMB/NFS shares); uses more CPU."
      />
    </fieldset>
  );
}
