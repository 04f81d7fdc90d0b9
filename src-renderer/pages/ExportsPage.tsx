import { ExportList } from '../components/ExportList';
import { NewExportForm } from '../components/NewExportForm';

/** `#/exports`: start an export of the events a filter matches; follow, cancel and fetch jobs. */
export function ExportsPage() {
  return (
    <section className="page page-exports" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Exports</h1>
      </header>
      <p className="page-intro">
        Export events as CSV, JSON, Excel or a ZIP archive with their snapshots. Finished files are
        removed automatically after a retention period.
      </p>
      <NewExportForm />
      <ExportList />
    </section>
  );
}
