import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Camera, FtpCredentials } from '../../../src-shared/domain';
import type { Settings } from '../../../src-shared/settings';
import { useBusyAction } from '../../use-busy-action';
import { useApi } from '../../app-context';
import { useSettings } from '../../queries';
import { cacheCamera, keys } from '../../server-state';
import { ErrorNotice } from '../ErrorNotice';
import { CopyField } from './CopyField';

const LOCAL_HOST = '127.0.0.1';
const ANY_HOST = '0.0.0.0';

function HostChoice({ host, onChange }: { host: string; onChange: (host: string) => void }) {
  return (
    <fieldset className="setup-choices">
      <legend>Who may connect to the FTP endpoint</legend>
      <label className="radio-row">
        <input
          type="radio"
          name="setup-ftp-host"
          value={LOCAL_HOST}
          checked={host === LOCAL_HOST}
          onChange={() => onChange(LOCAL_HOST)}
        />
        This computer only ({LOCAL_HOST})
      </label>
      <label className="radio-row">
        <input
          type="radio"
          name="setup-ftp-host"
          value={ANY_HOST}
          checked={host === ANY_HOST}
          onChange={() => onChange(ANY_HOST)}
        />
        Devices on my network ({ANY_HOST})
      </label>
      {host === ANY_HOST && (
        <p className="notice notice-warn" data-testid="setup-ftp-warning">
          Warning: any device on your network can connect to this FTP endpoint. Use it only on a
          network you trust (your home network, not a café or shared Wi-Fi).
        </p>
      )}
    </fieldset>
  );
}

function Credentials({ credentials }: { credentials: FtpCredentials }) {
  const id = `setup-ftp-${credentials.cameraId}`;
  return (
    <div
      className="setup-credentials"
      data-testid={`setup-ftp-credentials-${credentials.cameraId}`}
    >
      <CopyField
        id={`${id}-host`}
        label="Server"
        value={credentials.host}
        hint={
          credentials.host === ANY_HOST
            ? "0.0.0.0 means every network interface: give the camera this computer's address on your network (e.g. 192.168.1.20)."
            : undefined
        }
      />
      <CopyField id={`${id}-port`} label="Port" value={String(credentials.port)} />
      <CopyField id={`${id}-user`} label="User" value={credentials.user} />
      <CopyField
        id={`${id}-password`}
        label="Password"
        value={credentials.password}
        hint="Shown once — only a hash is stored. A new password replaces it."
      />
    </div>
  );
}

/** The built-in FTP endpoint: turn it on, then a one-time password per camera. */
export function SetupFtp({ cameras }: { cameras: readonly Camera[] }) {
  const api = useApi();
  const qc = useQueryClient();
  const settings = useSettings();
  const ftp = settings.data?.ingest.ftp;
  const [host, setHost] = useState(LOCAL_HOST);
  const { busy, error, run } = useBusyAction();
  const [credentials, setCredentials] = useState<Record<string, FtpCredentials>>({});

  const enable = () =>
    run(async () => {
      const next = await api.invoke('system.settings.update', {
        ingest: { ftp: { enabled: true, host } },
      });
      qc.setQueryData<Settings>(keys.settings, next);
    });
  const setPassword = (camera: Camera) =>
    run(async () => {
      const result = await api.invoke('cameras.ftp.setPassword', { id: camera.id });
      setCredentials((c) => ({ ...c, [camera.id]: result }));
      cacheCamera(qc, { ...camera, ftpUser: result.user });
    });

  return (
    <section className="panel setup-ftp" aria-labelledby="setup-ftp-title">
      <h3 id="setup-ftp-title">Or: upload over FTP</h3>
      <p className="muted">
        Many cameras can send snapshots to an FTP server. The app has one built in; each camera logs
        in with its own user and password.
      </p>
      {settings.isError && <ErrorNotice error={settings.error} prefix="Could not load settings" />}
      {ftp && !ftp.enabled && (
        <>
          <HostChoice host={host} onChange={setHost} />
          <button type="button" className="button" disabled={busy} onClick={() => void enable()}>
            Turn on the FTP endpoint
          </button>
        </>
      )}
      {ftp?.enabled && (
        <>
          <p className="status-line status-line-good" data-testid="setup-ftp-on">
            FTP endpoint on: {ftp.host}:{ftp.port}
          </p>
          {cameras.length === 0 && <p className="muted">Add a camera above to get its login.</p>}
          {cameras.map((camera) => (
            <div key={camera.id} className="setup-camera-ftp">
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void setPassword(camera)}
              >
                {credentials[camera.id] ? 'New FTP password' : 'Set FTP password'} for {camera.name}
              </button>
              {credentials[camera.id] && <Credentials credentials={credentials[camera.id]!} />}
            </div>
          ))}
        </>
      )}
      {error !== null && <ErrorNotice error={error} prefix="FTP setup failed" />}
    </section>
  );
}
