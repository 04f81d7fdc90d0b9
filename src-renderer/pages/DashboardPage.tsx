import { errorMessage } from '../api';
import { ActivityFeed } from '../components/ActivityFeed';
import { CameraCard } from '../components/CameraCard';
import { DetectorLine } from '../components/DetectorLine';
import { RiskGauge } from '../components/RiskGauge';
import { StatusBadge } from '../components/StatusBadge';
import { TodayCounts } from '../components/TodayCounts';
import { plural } from '../format';
import { routeHref } from '../routes';
import { useCameras, useHealth, useIngestStatus, useSnapshots } from '../queries';

function HealthPanel() {
  const query = useHealth();
  const health = query.data;
  const error = query.isError ? errorMessage(query.error) : null;

  return (
    <section className="panel" aria-labelledby="health-title">
      <h2 id="health-title">System health</h2>
      {error && (
        <p className="notice notice-error" role="alert">
          Could not load system health: {error}
        </p>
      )}
      {!health && !error && <p className="muted">Loading system health…</p>}
      {health && (
        <>
          <dl className="facts">
            <div>
              <dt>Overall</dt>
              <dd data-testid="health-status">
                <StatusBadge
                  status={health.status}
                  label={health.status === 'ok' ? 'OK' : 'Degraded'}
                />
              </dd>
            </div>
            <div>
              <dt>Version</dt>
              <dd data-testid="app-version">{health.version}</dd>
            </div>
          </dl>
          <h3 className="subheading">Services</h3>
          {health.services.length === 0 ? (
            <p className="muted">No services report their health yet.</p>
          ) : (
            <ul className="service-list">
              {health.services.map((service) => (
                <li key={service.name} data-testid={`service-${service.name}`}>
                  <span className="service-name">{service.name}</span>
                  <StatusBadge status={service.status} title={service.detail} />
                  {service.detail && <span className="muted service-detail">{service.detail}</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function CamerasSummary() {
  const query = useCameras();
  const cameras = query.data ?? [];

  const online = cameras.filter((c) => c.status === 'online').length;

  return (
    <section className="panel" aria-labelledby="cameras-title">
      <h2 id="cameras-title">Cameras</h2>
      {query.isError && (
        <p className="notice notice-error" role="alert">
          Could not load cameras: {errorMessage(query.error)}
        </p>
      )}
      {query.isPending && <p className="muted">Loading cameras…</p>}
      {query.isSuccess &&
        (cameras.length === 0 ? (
          <p className="empty-inline">No cameras yet — add one in Cameras &amp; Zones</p>
        ) : (
          <p className="big-number" data-testid="camera-count">
            {plural(cameras.length, 'camera')}
            <span className="muted"> · {online} online</span>
          </p>
        ))}
      <p>
        <a className="button button-secondary" href={routeHref('cameras')}>
          Manage cameras
        </a>
      </p>
    </section>
  );
}

function DetectionPanel() {
  const query = useIngestStatus();
  const ingest = query.data;
  const error = query.isError ? errorMessage(query.error) : null;
  return (
    <section className="panel" aria-labelledby="detection-title">
      <h2 id="detection-title">Detection</h2>
      <DetectorLine />
      {error && (
        <p className="notice notice-error" role="alert">
          Could not load ingest status: {error}
        </p>
      )}
      {ingest && (
        <p className="muted" data-testid="dashboard-throughput">
          {plural(ingest.perMinute, 'image')} in the last minute · {ingest.queueDepth} queued
          {ingest.paused && ' · ingest paused'}
        </p>
      )}
    </section>
  );
}

function CameraGrid() {
  const cameras = useCameras().data ?? [];
  const snapshotsQuery = useSnapshots();
  const snapshots = snapshotsQuery.data ?? {};
  const error = snapshotsQuery.isError ? errorMessage(snapshotsQuery.error) : null;
  if (cameras.length === 0) return null;
  return (
    <section className="camera-grid-section" aria-labelledby="camera-grid-title">
      <h2 id="camera-grid-title">Camera grid</h2>
      {error && (
        <p className="notice notice-error" role="alert">
          Could not load snapshots: {error}
        </p>
      )}
      <ul className="camera-grid">
        {cameras.map((camera) => (
          <CameraCard key={camera.id} camera={camera} snapshot={snapshots[camera.id]} />
        ))}
      </ul>
    </section>
  );
}

export function DashboardPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Dashboard</h1>
      </header>
      <div className="grid dashboard-risk">
        <RiskGauge />
        <TodayCounts />
        <ActivityFeed />
      </div>
      <div className="grid">
        <HealthPanel />
        <CamerasSummary />
        <DetectionPanel />
      </div>
      <CameraGrid />
    </section>
  );
}
