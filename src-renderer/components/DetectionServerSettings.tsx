/**
 * `#/settings/detection-server`: this computer's detector served to other machines — another
 * copy of this app or any Open Inference Protocol (V2) client, and tools that call
 * CodeProject.AI (Blue Iris, Agent DVR) — with its address, token and limits, and the URLs to
 * give those callers.
 */
import { useMemo } from 'react';
import { useWatch } from 'react-hook-form';
import type { Settings, SettingsPatch } from '../../src-shared/settings';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import type { DetectionServerForm as V } from '../detection-server-form';
import {
  DETECTION_SERVER_FIELD_KEYS,
  detectionServerFormFrom,
  detectionServerFormSchema,
  detectionServerUrls,
  isLoopbackHost,
  isWildcardHost,
} from '../detection-server-form';
import { FormCheckbox, FormText } from '../forms/fields';
import { Form, FormProblem, SaveActions } from '../forms/Form';
import { useSavedEditor } from '../forms/saved-editor';
import { useServices, useSettings } from '../queries';
import { keys } from '../server-state';
import { CopyField } from './setup/CopyField';

export const DETECTION_SERVER_HREF = '#/settings/detection-server';

/** Said while the address typed is one other machines can reach. */
function ExposedWarning() {
  const host = useWatch<V, 'detectionServer.host'>({ name: 'detectionServer.host' });
  const token = useWatch<V, 'detectionServer.token'>({ name: 'detectionServer.token' });
  if (!host.trim() || isLoopbackHost(host)) return null;
  return (
    <p className="notice notice-warn" data-testid="detection-server-exposed">
      Warning: other machines on your network can use this computer&apos;s detector at this address.{' '}
      {token
        ? 'Only callers that send the token are answered.'
        : 'Set a token below, so that only callers you give it to are answered.'}
    </p>
  );
}

function DetectionServerForm({ saved }: { saved: Settings }) {
  const api = useApi();
  const schema = useMemo(() => detectionServerFormSchema(saved), [saved]);
  const { form, formProps, saving, message, setMessage, submit } = useSavedEditor({
    saved,
    toForm: detectionServerFormFrom,
    schema,
    queryKey: keys.settings,
    fieldKeys: DETECTION_SERVER_FIELD_KEYS,
  });
  const save = (patch: SettingsPatch) =>
    submit(() => api.invoke('system.settings.update', patch), 'Detection server settings saved');

  return (
    <Form
      {...formProps}
      onValid={save}
      aria-labelledby="detection-server-form-title"
      className="form settings-form"
    >
      <h3 id="detection-server-form-title">Server settings</h3>
      <fieldset className="panel">
        <legend>Listening</legend>
        <FormCheckbox<V>
          name="detectionServer.enabled"
          id="detection-server-enabled"
          label="Detection server on"
          hint="Off: nothing listens, and only this app uses the detector."
        />
        <div className="field-pair">
          <FormText<V>
            name="detectionServer.host"
            id="detection-server-host"
            label="Address to listen on"
            hint="127.0.0.1: this computer only. 0.0.0.0: every network this computer is on."
            spellCheck={false}
            autoComplete="off"
          />
          <FormText<V>
            name="detectionServer.port"
            id="detection-server-port"
            label="Port"
            type="number"
            min={0}
            max={65535}
            step={1}
          />
        </div>
        <ExposedWarning />
        <FormText<V>
          name="detectionServer.token"
          id="detection-server-token"
          label="Token (optional)"
          type="password"
          hint="Callers send it as Authorization: Bearer <token>. A saved token is never shown: leave it to keep it, clear it to remove it."
          autoComplete="new-password"
          spellCheck={false}
        />
      </fieldset>
      <fieldset className="panel">
        <legend>Limits</legend>
        <div className="field-pair">
          <FormText<V>
            name="detectionServer.concurrency"
            id="detection-server-concurrency"
            label="Requests at once"
            type="number"
            min={1}
            max={32}
            step={1}
            hint="Images detected at the same time for callers."
          />
          <FormText<V>
            name="detectionServer.queue"
            id="detection-server-queue"
            label="Waiting requests"
            type="number"
            min={0}
            max={1000}
            step={1}
            hint="More wait their turn; beyond this many they are turned away (busy, try again)."
          />
        </div>
        <FormText<V>
          name="detectionServer.maxBodyMegabytes"
          id="detection-server-max-body"
          label="Largest request (MB)"
          type="number"
          min={1}
          max={200}
          step={1}
          hint="Larger requests are refused before they are read."
        />
        <FormText<V>
          name="detectionServer.maxPerSecond"
          id="detection-server-max-per-second"
          label="Requests a second"
          type="number"
          min={0}
          max={10000}
          step={1}
          hint="More in one second are turned away (try again); 0 for no limit."
        />
      </fieldset>
      <FormProblem />
      <SaveActions
        saving={saving}
        message={message}
        onDiscard={() => {
          form.reset(detectionServerFormFrom(saved));
          setMessage('');
        }}
      />
    </Form>
  );
}

/** The saved server's URLs to copy, and what the server says it is doing now. */
function DetectionServerUse({ saved }: { saved: Settings }) {
  const s = saved.detectionServer;
  const service = useServices().data?.find((x) => x.name === 'detection-server');
  const urls = detectionServerUrls(s.host, s.port);
  return (
    <section className="panel" aria-labelledby="detection-server-use-title">
      <h3 id="detection-server-use-title">Use it from another machine</h3>
      {service && service.status !== 'running' ? (
        <p className="notice notice-warn" data-testid="detection-server-state">
          The detection-server service is {service.status}
          {service.detail ? `: ${service.detail}` : ''}. Operations lists it with its log.
        </p>
      ) : (
        service?.detail && (
          <p className="status-line" data-testid="detection-server-state">
            Now: {service.detail}
          </p>
        )
      )}
      {!s.enabled ? (
        <p className="muted">
          The detection server is off. Turn it on and save to use this computer&apos;s detector from
          elsewhere.
        </p>
      ) : (
        <>
          <CopyField
            id="detection-server-v2-url"
            label="V2 base URL"
            value={urls.v2}
            hint="For another copy of this app (Settings → Detector → Inference servers) or any Open Inference Protocol (KServe V2) client."
          />
          <CopyField
            id="detection-server-codeproject-url"
            label="CodeProject.AI URL"
            value={urls.codeProject}
            hint="For Blue Iris, Agent DVR and other tools that call CodeProject.AI or DeepStack: they post an image, the objects found come back."
          />
          {isWildcardHost(s.host) && (
            <p className="field-hint">
              {s.host} listens on every address of this computer: from another machine, use this
              computer&apos;s network address in its place.
            </p>
          )}
          {s.token && (
            <p className="field-hint">
              A token is set: callers must send Authorization: Bearer and the token.
            </p>
          )}
        </>
      )}
    </section>
  );
}

export function DetectionServerSettings() {
  const query = useSettings();
  return (
    <section aria-labelledby="detection-server-title">
      <h2 id="detection-server-title">Detection server</h2>
      <p className="page-intro">
        Lets other machines use this computer&apos;s detector: another copy of this app, any Open
        Inference Protocol (V2) client, or tools that call CodeProject.AI such as Blue Iris and
        Agent DVR.
      </p>
      {query.isError && (
        <p className="notice notice-error" role="alert">
          Could not load settings: {errorMessage(query.error)}
        </p>
      )}
      {query.isPending && <p className="muted">Loading settings…</p>}
      {query.data && (
        <>
          <DetectionServerForm saved={query.data} />
          <DetectionServerUse saved={query.data} />
        </>
      )}
    </section>
  );
}
