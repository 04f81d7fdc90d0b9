/** The app's services and the local servers it manages: how each is doing, and its controls. */
import { useState } from 'react';
import type { Service } from '../../src-shared/services';
import { dateTime, durationText, latencyText, timeAgo, timeOfDay } from '../format';
import { useServices } from '../queries';
import { useNow } from '../stores/clock';
import { ErrorNotice } from './ErrorNotice';
import type { ServiceAction } from './ServiceActions';
import { ServiceActions } from './ServiceActions';
import { ServiceLogs } from './ServiceLogs';
import { StatusBadge } from './StatusBadge';

const COLUMNS = 8;

function Uptime({ service, now }: { service: Service; now: number }) {
  const up = service.status === 'running' || service.status === 'degraded';
  if (!up || !service.startedAt) return <>—</>;
  return (
    <time dateTime={service.startedAt} title={`Started ${dateTime(service.startedAt)}`}>
      {durationText(now - Date.parse(service.startedAt))}
    </time>
  );
}

function Dependencies({ service }: { service: Service }) {
  if (!service.dependsOn.length && !service.dependents.length) return <>—</>;
  return (
    <>
      {service.dependsOn.length > 0 && <div>needs: {service.dependsOn.join(', ')}</div>}
      {service.dependents.length > 0 && (
        <div className="muted">needed by: {service.dependents.join(', ')}</div>
      )}
    </>
  );
}

/** Why it is as it is: the detail, the last error, its health check, its process. */
function Details({ service, now }: { service: Service; now: number }) {
  const { detail, lastError, health } = service;
  const lastErrorShown = lastError && !detail?.includes(lastError);
  return (
    <>
      {detail && <div data-testid="service-detail">{detail}</div>}
      {lastErrorShown && <div className="muted">Last error: {lastError}</div>}
      {health && (
        <div className="muted">
          Checked {timeAgo(health.checkedAt, now)}: {health.status}
          {health.detail && ` (${health.detail})`}, {latencyText(health.latencyMs)}
        </div>
      )}
      {service.command !== null && (
        <div>
          <code className="service-command">{service.command}</code>
          {service.pid !== null && (
            <>
              {' '}
              pid <span data-testid="service-pid">{service.pid}</span>
            </>
          )}
        </div>
      )}
      {!detail && !lastErrorShown && !health && service.command === null && '—'}
    </>
  );
}

function ServiceRow({ service, now }: { service: Service; now: number }) {
  const [logsOpen, setLogsOpen] = useState(false);
  const [failure, setFailure] = useState<{ action: ServiceAction; error: unknown } | null>(null);
  const logsId = `service-logs-${service.name}`;
  return (
    <>
      <tr data-testid="service-row" data-service={service.name} data-status={service.status}>
        <th scope="row" className="cell-name">
          {service.name}
          <div className="field-hint service-description">{service.description}</div>
        </th>
        <td>
          <StatusBadge status={service.status} />
          {!service.enabled && (
            <StatusBadge status="disabled" title={service.disabledReason ?? undefined} />
          )}
          {service.nextRestartAt && (
            <div className="muted">
              restarts at{' '}
              <time dateTime={service.nextRestartAt}>{timeOfDay(service.nextRestartAt)}</time>
            </div>
          )}
        </td>
        <td>
          <Uptime service={service} now={now} />
        </td>
        <td className="cell-number" data-testid="service-restarts">
          {service.restarts}
        </td>
        <td className="cell-number" data-testid="service-failures">
          {service.failures}
        </td>
        <td>
          <Dependencies service={service} />
        </td>
        <td className="service-details-cell">
          <Details service={service} now={now} />
        </td>
        <td>
          <ServiceActions service={service} onError={setFailure}>
            <button
              type="button"
              className="button button-small"
              aria-expanded={logsOpen}
              aria-controls={logsOpen ? logsId : undefined}
              onClick={() => setLogsOpen((open) => !open)}
            >
              Logs<span className="visually-hidden"> of {service.name}</span>
            </button>
          </ServiceActions>
        </td>
      </tr>
      {(failure || logsOpen) && (
        <tr className="service-extra-row">
          <td colSpan={COLUMNS}>
            {failure && (
              <ErrorNotice
                error={failure.error}
                prefix={`Could not ${failure.action} ${service.name}`}
              />
            )}
            {logsOpen && <ServiceLogs name={service.name} id={logsId} />}
          </td>
        </tr>
      )}
    </>
  );
}

export function ServiceList() {
  const query = useServices();
  const now = useNow();
  const services = query.data ?? [];
  return (
    <section
      className="panel ops-area"
      aria-labelledby="ops-services-title"
      data-testid="ops-services"
    >
      <h2 id="ops-services-title">Services</h2>
      <p className="field-hint analytics-note">
        The app&apos;s own parts, each after what it needs, and the local servers it manages
        (settings <code>services.managed</code>). A failed service is restarted after a pause, and
        disabled after repeated failures until you enable it.
      </p>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not load services" />}
      {query.isPending && <p className="muted">Loading…</p>}
      {query.isSuccess && services.length === 0 && (
        <p className="muted" data-testid="services-empty">
          No services to show.
        </p>
      )}
      {services.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact service-table">
            <caption className="visually-hidden">Services, each after what it needs</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Status</th>
                <th scope="col">Uptime</th>
                <th scope="col" className="cell-number">
                  Restarts
                </th>
                <th scope="col" className="cell-number">
                  Failures
                </th>
                <th scope="col">Dependencies</th>
                <th scope="col">Details</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {services.map((s) => (
                <ServiceRow key={s.name} service={s} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
