import { useMemo } from 'react';
import type { FieldPath, FieldValues } from 'react-hook-form';
import { useController, useFormContext } from 'react-hook-form';
import { CheckboxGroup } from '../components/Field';
import { DAY_LABELS } from '../rule-form';
import { FormText, useFieldError } from './fields';

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
  /** Where the window sits in the form: `<name>.days`, `.start`, `.end`, `.timezone`. */
  name: string;
  /** Labels of the two times ("Start"/"End" or "From"/"To"). */
  startLabel: string;
  endLabel: string;
  disabled?: boolean;
}

/** Days of the week, a start and end time (HH:MM) and the time zone they are read in. */
export function TimeWindowFields<T extends FieldValues>({
  idPrefix,
  name,
  startLabel,
  endLabel,
  disabled,
}: TimeWindowFieldsProps) {
  const zones = useMemo(() => timeZones(), []);
  const listId = `${idPrefix}-timezones`;
  const path = (part: string) => `${name}.${part}` as FieldPath<T>;
  const { control } = useFormContext<T>();
  const days = useController({ name: path('days'), control });
  const dayErrors = useFieldError<T>(path('days'));
  return (
    <div className="time-window">
      <CheckboxGroup
        id={`${idPrefix}-days`}
        legend="Days"
        choices={DAY_CHOICES}
        selected={((days.field.value as number[] | undefined) ?? []).map(String)}
        onSelectedChange={(picked) => days.field.onChange(picked.map(Number))}
        errors={dayErrors}
        disabled={disabled}
        hint="The day a window starts on."
      />
      <div className="field-pair">
        <FormText<T>
          name={path('start')}
          id={`${idPrefix}-start`}
          label={startLabel}
          type="time"
          disabled={disabled}
          required
        />
        <FormText<T>
          name={path('end')}
          id={`${idPrefix}-end`}
          label={endLabel}
          type="time"
          disabled={disabled}
          required
        />
      </div>
      <p className="field-hint time-window-note">
        A window whose start is after its end spans midnight (22:00–06:00 runs overnight).
      </p>
      <FormText<T>
        name={path('timezone')}
        id={`${idPrefix}-timezone`}
        label="Time zone"
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
