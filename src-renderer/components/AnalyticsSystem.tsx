/** The Analytics page's view of the machine: each camera's uptime, and storage by category. */
import type { CameraUptime as Uptime } from '../../src-shared/analytics';
import type { AnalyticsRange } from '../analytics-data';
import { durationText, storageParts } from '../analytics-data';
import { fileSizeText, percentOrDash, plural } from '../format';
import { useAnalytics, useStorage } from '../queries';
import { routeHref } from '../routes';
import { AnalyticsSection, BarChart } from './AnalyticsSection';

const num = 'cell-number';

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
        <table className="table table-compact">
          <caption>Time per camera in each status</caption>
          <thead>
            <tr>
              <th scope="col">Camera</th>
              <th scope="col" className={num}>
                Online
              </th>
              <th scope="col" className={num}>
                Offline
              </th>
              <th scope="col" className={num}>
                Unknown
              </th>
              <th scope="col" className={num}>
                Uptime
              </th>
              <th scope="col" className={num}>
                Changes
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.cameraId}>
                <th scope="row">{r.cameraName}</th>
                <td className={num}>{durationText(r.onlineMs)}</td>
                <td className={num}>{durationText(r.offlineMs)}</td>
                <td className={num}>{durationText(r.unknownMs)}</td>
                <td className={num}>{percentOrDash(r.uptime)}</td>
                <td className={num}>{r.changes}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
        <table className="table table-compact">
          <caption>Bytes by category</caption>
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col" className={num}>
                Size
              </th>
              <th scope="col" className={num}>
                Bytes
              </th>
            </tr>
          </thead>
          <tbody>
            {storageParts(s).map((p) => (
              <tr key={p.key}>
                <th scope="row">{p.label}</th>
                <td className={num}>{fileSizeText(p.bytes)}</td>
                <td className={num}>{p.bytes}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Total</th>
              <td className={num}>{fileSizeText(s.totalBytes)}</td>
              <td className={num}>{s.totalBytes}</td>
            </tr>
          </tbody>
        </table>
      )}
    />
  );
}
