/**
 * The Events page's filter form, and how it becomes an `EventFilter` for the server (and a
 * client-side match for live pushes). React-free.
 */
import type { EventFilter } from '../src-shared/contract';
import type { RiskLevel, SecurityEvent } from '../src-shared/domain';
import { RISK_LEVELS } from '../src-shared/domain';
import { localInputToIso } from './format';

export type ReviewedFilter = 'all' | 'unreviewed' | 'reviewed';

export interface EventFilterForm {
  /** Full-text query (FTS5 syntax); empty for none. */
  q: string;
  /** None selected = every camera. */
  cameraIds: string[];
  /** None selected = every level. */
  riskLevels: RiskLevel[];
  reviewed: ReviewedFilter;
  /** `datetime-local` values (local time); empty for none. */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: EventFilterForm = {
  q: '',
  cameraIds: [],
  riskLevels: [],
  reviewed: 'all',
  from: '',
  to: '',
};

/** Whether any filter narrows the list. */
export function hasActiveFilters(f: EventFilterForm): boolean {
  return (
    f.q.trim() !== '' ||
    f.cameraIds.length > 0 ||
    f.riskLevels.length > 0 ||
    f.reviewed !== 'all' ||
    localInputToIso(f.from) !== undefined ||
    localInputToIso(f.to) !== undefined
  );
}

/** The form → the API's EventFilter (empty parts left out). */
export function toEventFilter(f: EventFilterForm): EventFilter {
  const filter: EventFilter = {};
  const q = f.q.trim();
  if (q) filter.q = q;
  if (f.cameraIds.length > 0) filter.cameraIds = [...f.cameraIds];
  if (f.riskLevels.length > 0 && f.riskLevels.length < RISK_LEVELS.length) {
    filter.riskLevels = RISK_LEVELS.filter((l) => f.riskLevels.includes(l));
  }
  if (f.reviewed !== 'all') filter.reviewed = f.reviewed === 'reviewed';
  const from = localInputToIso(f.from);
  if (from) filter.from = from;
  const to = localInputToIso(f.to);
  if (to) filter.to = to;
  return filter;
}

/**
 * Whether a pushed event belongs in a list filtered this way (camera, level, reviewed and
 * dates; a text query cannot be matched here).
 */
export function matchesFilter(event: SecurityEvent, filter: EventFilter): boolean {
  if (filter.cameraIds?.length && !filter.cameraIds.includes(event.cameraId)) return false;
  if (filter.riskLevels?.length && !filter.riskLevels.includes(event.riskLevel)) return false;
  if (filter.minRisk !== undefined && event.riskScore < filter.minRisk) return false;
  if (filter.maxRisk !== undefined && event.riskScore > filter.maxRisk) return false;
  if (filter.reviewed !== undefined && event.reviewed !== filter.reviewed) return false;
  const started = Date.parse(event.startedAt);
  if (filter.from && started < Date.parse(filter.from)) return false;
  if (filter.to && started >= Date.parse(filter.to)) return false;
  if (filter.objectClasses?.length) {
    if (!filter.objectClasses.some((c) => event.objectClasses.includes(c))) return false;
  }
  return true;
}

/** Newest first, as the server orders them (started_at desc, then id desc). */
export function compareNewestFirst(a: SecurityEvent, b: SecurityEvent): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}
