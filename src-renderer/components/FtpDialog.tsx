import { useRef, useState } from 'react';
import type { Camera, FtpCredentials } from '../../src-shared/domain';
import type { Settings } from '../../src-shared/settings';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { useSettings } from '../queries';
import { routeHref } from '../routes';
import { Dialog } from './Dialog';

type FtpEndpoint = Settings['ingest']['ftp'];

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

function FtpEndpointFacts({ user, endpoint }: { user: string; endpoint: FtpEndpoint | null }) {
  return (
    <>
      <dl className="facts ftp-facts">
        <div>
          <dt>User</dt>
          <dd data-testid="ftp-user">{user}</dd>
        </div>
        <div>
          <dt>Server</dt>
          <dd data-testid="ftp-server">
            {endpoint ? `${endpoint.host}:${endpoint.port}` : 'Loading…'}
          </dd>
        </div>
      </dl>
      {endpoint && WILDCARD_HOSTS.has(endpoint.host) && (
        <p className="field-hint">
          {endpoint.host} listens on every network interface: give the camera this computer&apos;s
          address on your network.
        </p>
      )}
      {endpoint && !endpoint.enabled && (
        <p className="notice notice-warn" data-testid="ftp-off">
          The FTP endpoint is off — turn it on in <a href={routeHref('settings')}>Settings</a>
        </p>
      )}
    </>
  );
}

function PasswordOnce({ password }: { password: string }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copyNote, setCopyNote] = useState('');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(password);
      setCopyNote('Copied');
    } catch {
      inputRef.current?.select();
      setCopyNote('Could not copy: the password is selected, press Ctrl+C (⌘C on a Mac)');
    }
  };

  return (
    <div className="field">
      <label htmlFor="ftp-password">FTP password</label>
      <div className="copy-row">
        <input
          ref={inputRef}
          id="ftp-password"
          type="text"
          readOnly
          value={password}
          spellCheck={false}
          autoComplete="off"
          aria-describedby="ftp-password-hint"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p id="ftp-password-hint" className="field-hint">
        Shown once — only a hash is stored. Enter it in the camera&apos;s FTP settings.
      </p>
      <p className="copy-note" aria-live="polite">
        {copyNote}
      </p>
    </div>
  );
}

interface FtpDialogProps {
  camera: Camera;
  onClose: () => void;
  /** The camera after its FTP login changed (ftpUser set). */
  onCameraChanged: (camera: Camera) => void;
}

/** A camera's FTP upload login: where to send images, and a new password on request. */
export function FtpDialog({ camera, onClose, onCameraChanged }: FtpDialogProps) {
  const api = useApi();
  const settings = useSettings();
  const [answered, setAnswered] = useState<FtpEndpoint | null>(null);
  const [credentials, setCredentials] = useState<FtpCredentials | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const setRef = useRef<HTMLButtonElement>(null);
  // Where the endpoint listens (answered with a new password), else its settings.
  const endpoint = answered ?? settings.data?.ingest.ftp ?? null;
  const loadError = settings.isError
    ? `Could not load the FTP settings: ${errorMessage(settings.error)}`
    : null;

  const setPassword = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.invoke('cameras.ftp.setPassword', { id: camera.id });
      setCredentials(result);
      setAnswered({ enabled: result.enabled, host: result.host, port: result.port });
      const updated = await api
        .invoke('cameras.get', { id: camera.id })
        .catch(() => ({ ...camera, ftpUser: result.user }));
      onCameraChanged(updated);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const user = credentials?.user ?? camera.ftpUser ?? 'No password set yet';
  return (
    <Dialog labelledBy="ftp-dialog-title" onClose={onClose} initialFocus={setRef}>
      <h2 id="ftp-dialog-title">FTP upload for {camera.name}</h2>
      <p className="muted">
        Cameras that upload snapshots over FTP log in with this user and password; each upload goes
        straight into this camera&apos;s queue.
      </p>
      <FtpEndpointFacts user={user} endpoint={endpoint} />
      {credentials && <PasswordOnce password={credentials.password} />}
      {(error ?? loadError) && (
        <p className="notice notice-error" role="alert">
          {error ?? loadError}
        </p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button button-primary"
          ref={setRef}
          disabled={busy}
          onClick={() => void setPassword()}
        >
          Set new FTP password
        </button>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
      {camera.ftpUser && !credentials && (
        <p className="field-hint">A new password replaces the current one at once.</p>
      )}
    </Dialog>
  );
}
