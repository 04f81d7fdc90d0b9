/** How export jobs read in the list: format names and a short filter summary. React-free. */
import type { ExportFormat, ExportJob, RiskLevel } from '../src-shared/domain';
import { EXPORT_FORMATS, RISK_LEVELS } from '../src-shared/domain';
import { dateTime } from './format';
import { RISK_LABELS } from './risk';

export const FORMAT_LABELS: Record<ExportFormat, string> = {
  csv: 'CSV',
  json: 'JSON',
  zip: 'ZIP',
  xlsx: 'Excel (XLSX)',
};

export const FORMAT_CHOICES = EXPORT_FORMATS.map((value) => ({
  value,
  label: FORMAT_LABELS[value],
}));

/** "CSV", "ZIP with images", "ZIP without images". */
export function jobFormatText(job: Pick<ExportJob, 'format' | 'includeImages'>): string {
  if (job.format !== 'zip') return FORMAT_LABELS[job.format];
  return job.includeImages ? 'ZIP with images' : 'ZIP without images';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** More than this many cameras are counted rather than named. */
const NAMED_CAMERAS = 3;

/**
 * A job's EventFilter in a line: `"front door" · Porch, Garage · High, Critical risk ·
 * Unreviewed · from … until …`, or "All events".
 */
export function filterSummary(
  filters: Record<string, unknown>,
  cameraName: (id: string) => string,
): string {
  const parts: string[] = [];
  if (typeof filters.q === 'string' && filters.q) parts.push(`“${filters.q}”`);
  const cameras = strings(filters.cameraIds);
  if (cameras.length > NAMED_CAMERAS) parts.push(`${cameras.length} cameras`);
  else if (cameras.length > 0) parts.push(cameras.map(cameraName).join(', '));
  const levels = strings(filters.riskLevels).filter((l): l is RiskLevel =>
    (RISK_LEVELS as readonly string[]).includes(l),
  );
  if (levels.length > 0) parts.push(`${levels.map((l) => RISK_LABELS[l]).join(', ')} risk`);
  if (typeof filters.minRisk === 'number') parts.push(`risk ≥ ${filters.minRisk}`);
  if (typeof filters.maxRisk === 'number') parts.push(`risk ≤ ${filters.maxRisk}`);
  const objects = strings(filters.objectClasses);
  if (objects.length > 0) parts.push(objects.join(', '));
  if (filters.reviewed === true) parts.push('Reviewed');
  if (filters.reviewed === false) parts.push('Unreviewed');
  if (typeof filters.from === 'string') parts.push(`from ${dateTime(filters.from)}`);
  if (typeof filters.to === 'string') parts.push(`until ${dateTime(filters.to)}`);
  return parts.length > 0 ? parts.join(' · ') : 'All events';
}
