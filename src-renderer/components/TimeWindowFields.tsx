import { useMemo } from 'react';
import { DAY_LABELS } from '../rule-form';
import type { FieldErrors } from '../form-errors';
import { CheckboxGroup, TextField } from './Field';

export interface TimeWindow {
  days: number[];
  start: string;
  end: string;
  timezone: string;
}

const DAY_CHOICES = DAY_LABELS.map((label, day) => ({ value: String(day), label }));

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

interface TimeWindowFieldsProps {
  idPrefix: string;
  value: TimeWindow;
  onChange: (patch: Partial<TimeWindow>) => void;
  /** Labels of the two times ("Start"/"End" or "From"/"To"). */
  startLabel: string;
  endLabel: string;
  /** Errors by part: `days`, `start`, `end`, `timezone`. */
  errors: FieldErrors;
  disabled?: boolean;
}

/** Days of the week, a start and end time (HH:MM) and the time zone they are read in. */
export function TimeWindowFields({
  idPrefix,
  value,
  onChange,
  startLabel,
  endLabel,
  errors,
  disabled,
}: TimeWindowFieldsProps) {
  const zones = useMemo(() => timeZones(), []);
  const listId = `${idPrefix}-timezones`;
  return (
    <div className="time-window">
      <CheckboxGroup
        id={`${idPrefix}-days`}
        legend="Days"
        choices={DAY_CHOICES}
        selected={value.days.map(String)}
        onSelectedChange={(days) => onChange({ days: days.map(Number) })}
        errors={errors.days}
        disabled={disabled}
        hint="The day a window starts on."
      />
      <div className="field-pair">
        <TextField
          id={`${idPrefix}-start`}
          label={startLabel}
          type="time"
          value={value.start}
          onValueChange={(start) => onChange({ start })}
          errors={errors.start}
          disabled={disabled}
          required
        />
        <TextField
          id={`${idPrefix}-end`}
          label={endLabel}
          type="time"
          value={value.end}
          onValueChange={(end) => onChange({ end })}
          errors={errors.end}
          disabled={disabled}
          required
        />
      </div>
      <p className="field-hint time-window-note">
        A window whose start is after its end spans midnight (22:00–06:00 runs overnight).
      </p>
      <TextField
        id={`${idPrefix}-timezone`}
        label="Time zone"
        value={value.timezone}
        onValueChange={(timezone) => onChange({ timezone })}
        errors={errors.timezone}
        disabled={disabled}
        list={zones.length > 0 ? listId : undefined}
        hint="An IANA name such as Europe/Berlin or America/New_York."
        autoComplete="off"
        spellCheck={false}
      />
      {zones.length > 0 && (
        <datalist id={listId}>
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      )}
    </div>
  );
}
