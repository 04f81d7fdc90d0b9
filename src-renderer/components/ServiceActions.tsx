import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useState } from 'react';
import type { Service } from '../../src-shared/services';
import { useApi } from '../app-context';
import { cacheService } from '../server-state';
import { ConfirmDialog } from './ConfirmDialog';

export type ServiceAction = 'start' | 'stop' | 'restart' | 'enable' | 'disable';

const CHANNEL = {
  start: 'services.start',
  stop: 'services.stop',
  restart: 'services.restart',
  enable: 'services.enable',
  disable: 'services.disable',
} as const;

const LABEL: Record<ServiceAction, string> = {
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  enable: 'Enable',
  disable: 'Disable',
};

const DOING: Record<ServiceAction, string> = {
  start: 'Starting…',
  stop: 'Stopping…',
  restart: 'Restarting…',
  enable: 'Enabling…',
  disable: 'Disabling…',
};

/** What the confirmation says an action will do, dependencies and dependents named. */
function confirmText(action: ServiceAction, s: Service): string {
  const name = `"${s.name}"`;
  const hurt = s.dependents.length
    ? ` Services that need it (${s.dependents.join(', ')}) show degraded while it is down.`
    : '';
  switch (action) {
    case 'start':
      return (
        `Start ${name}?` +
        (s.dependsOn.length ? ` What it needs (${s.dependsOn.join(', ')}) is started first.` : '')
      );
    case 'stop':
      return `Stop ${name}? It stays stopped until you start it again.${hurt}`;
    case 'restart':
      return `Restart ${name}? It stops and starts again, and its failure count starts over.${hurt}`;
    case 'enable':
      return `Enable ${name} and start it? Its failure count starts over.`;
    case 'disable':
      return `Disable ${name}? It stops and is not started again, not even after a failure, until you enable it.${hurt}`;
  }
}

/** The actions that fit the service now: Start or Stop, Restart, Enable or Disable. */
function actionsFor(s: Service): ServiceAction[] {
  const down = s.status === 'stopped' || s.status === 'failed';
  return [down ? 'start' : 'stop', 'restart', s.enabled ? 'disable' : 'enable'];
}

/**
 * A service's control buttons, each confirmed first. The call runs after the dialog closes
 * (a server can take a while to come up); the answer goes into the services list, a failure
 * to `onError`. A service that starts and stops only with the app has them all disabled.
 */
export function ServiceActions({
  service,
  onError,
  children,
}: {
  service: Service;
  onError: (failure: { action: ServiceAction; error: unknown } | null) => void;
  /** More buttons in the same row (the log toggle). */
  children?: ReactNode;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState<ServiceAction | null>(null);
  const [busy, setBusy] = useState<ServiceAction | null>(null);
  const fixedId = `service-${service.name}-fixed`;

  const run = async (action: ServiceAction) => {
    setConfirming(null);
    setBusy(action);
    onError(null);
    try {
      cacheService(qc, await api.invoke(CHANNEL[action], { name: service.name }));
    } catch (error) {
      onError({ action, error });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="service-actions">
      <div className="row-actions">
        {actionsFor(service).map((action) => (
          <button
            key={action}
            type="button"
            className="button button-small"
            disabled={!service.restartable || busy !== null}
            aria-describedby={service.restartable ? undefined : fixedId}
            onClick={() => setConfirming(action)}
          >
            {LABEL[action]}
            <span className="visually-hidden"> {service.name}</span>
          </button>
        ))}
        {children}
      </div>
      {!service.restartable && (
        <p id={fixedId} className="field-hint">
          Starts and stops with the app: it cannot be controlled on its own.
        </p>
      )}
      <p className="status-line service-busy" role="status">
        {busy && DOING[busy]}
      </p>
      {confirming && (
        <ConfirmDialog
          id={`service-${service.name}-confirm`}
          title={`${LABEL[confirming]} ${service.name}`}
          text={confirmText(confirming, service)}
          confirmLabel={LABEL[confirming]}
          onConfirm={() => {
            void run(confirming);
            return Promise.resolve();
          }}
          onCancel={() => setConfirming(null)}
        />
      )}
    </div>
  );
}
