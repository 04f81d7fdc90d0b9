/** Weekly time windows in a time zone (alert schedules, quiet hours); pure. */

export interface WeeklyWindow {
  /** 0 = Sunday … 6 = Saturday. */
  days: readonly number[];
  /** HH:MM. */
  start: string;
  end: string;
  /** IANA time zone; the machine's own when absent. */
  timezone?: string;
}

const DAY_INDEX: Record<string, number> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

// Building an Intl.DateTimeFormat costs ~100 µs: one per time zone, reused.
const formats = new Map<string, Intl.DateTimeFormat>();
function clockFormat(timeZone?: string): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(key, f);
  }
  return f;
}

/** Weekday (0 = Sunday) and minutes since midnight of an instant in a time zone. */
export function localClock(iso: string, timeZone?: string): { day: number; minutes: number } {
  const parts = clockFormat(timeZone).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    day: DAY_INDEX[get('weekday')] ?? 0,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** "HH:MM" → minutes since midnight. */
export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether a time of day (minutes) is inside a daily window; a start after the end spans
 * midnight, start = end is the whole day.
 */
export function inDailyWindow(minutes: number, start: number, end: number): boolean {
  if (start === end) return true;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/**
 * Whether an instant falls in the window. A window whose start is after its end spans
 * midnight and belongs to the day it starts on (Friday 22:00–06:00 covers Saturday 03:00).
 */
export function inSchedule(iso: string, s: WeeklyWindow): boolean {
  const { day, minutes } = localClock(iso, s.timezone);
  const start = toMinutes(s.start);
  const end = toMinutes(s.end);
  if (!inDailyWindow(minutes, start, end)) return false;
  // After midnight in a window that spans it: the window started the day before.
  return s.days.includes(start > end && minutes < end ? (day + 6) % 7 : day);
}
