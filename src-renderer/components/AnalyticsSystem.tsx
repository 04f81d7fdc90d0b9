/** The Analytics page's view of the machine: each camera's uptime, and storage by category. */
import type { CameraUptime as Uptime } from '../../src-shared/analytics';
import type { AnalyticsRange } from '../analytics-data';
import { durationText, storageParts } from '../analytics-data';
import { fileSizeText, percentOrDash, plural } from '../format';
import { useAnalytics, useStorage } from '../queries';
import { routeHref } from '../routes';
import { AnalyticsSection, BarChart } from './AnalyticsSection';
import { NumbersTable } from './NumbersTable';

const uptimeText = (r: Uptime) =>
  r.uptime === null
    ? 'status never known'
    : `${percentOrDash(r.uptime)} online, ${plural(r.changes, 'change')}`;

export function CameraUptime({ range }: { range: AnalyticsRange }) {
  const query = useAnalytics('analytics.cameraUptime', range);
  return (
    <AnalyticsSection
      id="analytics-uptime"
      title="Camera uptime"
      note="Time each camera spent online, offline or in an unknown state (from when it was added)."
      query={query}
      isEmpty={(rows) => rows.length === 0}
      empty={
        <p>
          No cameras yet — add one on <a href={routeHref('cameras')}>Cameras &amp; Zones</a>, or
          drop snapshots into a folder of the ingest root.
        </p>
      }
      chart={(rows) => (
        <BarChart
          max={Math.max(0, ...rows.map((r) => r.onlineMs + r.offlineMs + r.unknownMs))}
          bars={rows.map((r) => ({
            key: r.cameraId,
            label: r.cameraName,
            value: r.onlineMs + r.offlineMs + r.unknownMs,
            text: uptimeText(r),
            segments: [
              {
                value: r.onlineMs,
                className: 'bar-online',
                title: `Online ${durationText(r.onlineMs)}`,
              },
              {
                value: r.offlineMs,
                className: 'bar-offline',
                title: `Offline ${durationText(r.offlineMs)}`,
              },
              {
                value: r.unknownMs,
                className: 'bar-unknown',
                title: `Unknown ${durationText(r.unknownMs)}`,
              },
            ],
          }))}
          label={`Camera uptime: ${rows.map((r) => `${r.cameraName} ${uptimeText(r)}`).join(', ')}`}
        />
      )}
      table={(rows) => (
        <NumbersTable
          caption="Time per camera in each status"
          rows={rows}
          rowKey={(r) => r.cameraId}
          columns={[
            { header: 'Camera', cell: (r) => r.cameraName },
            { header: 'Online', cell: (r) => durationText(r.onlineMs), numeric: true },
            { header: 'Offline', cell: (r) => durationText(r.offlineMs), numeric: true },
            { header: 'Unknown', cell: (r) => durationText(r.unknownMs), numeric: true },
            { header: 'Uptime', cell: (r) => percentOrDash(r.uptime), numeric: true },
            { header: 'Changes', cell: (r) => r.changes, numeric: true },
          ]}
        />
      )}
    />
  );
}

export function Storage() {
  const query = useStorage();
  return (
    <AnalyticsSection
      id="analytics-storage"
      title="Storage"
      note={
        query.data
          ? `${fileSizeText(query.data.totalBytes)} in the data folder now, whatever the range and cameras picked.`
          : 'The data folder now, whatever the range and cameras picked.'
      }
      query={query}
      isEmpty={(s) => s.totalBytes === 0}
      empty={
        <p>Nothing stored yet — snapshots, exports and logs are counted here as they arrive.</p>
      }
      chart={(s) => {
        const parts = storageParts(s);
        return (
          <BarChart
            bars={parts.map((p) => ({
              key: p.key,
              label: p.label,
              value: p.bytes,
              text: fileSizeText(p.bytes),
            }))}
            label={`Storage, ${fileSizeText(s.totalBytes)} in all: ${parts.map((p) => `${p.label} ${fileSizeText(p.bytes)}`).join(', ')}`}
          />
        );
      }}
      table={(s) => (
        <NumbersTable
          caption="Bytes by category"
          rows={[...storageParts(s), { key: 'total', label: 'Total', bytes: s.totalBytes }]}
          rowKey={(p) => p.key}
          columns={[
            { header: 'Category', cell: (p) => p.label },
            { header: 'Size', cell: (p) => fileSizeText(p.bytes), numeric: true },
            { header: 'Bytes', cell: (p) => p.bytes, numeric: true },
          ]}
        />
      )}
    />
  );
}
