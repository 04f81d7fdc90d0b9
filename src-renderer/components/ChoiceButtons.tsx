/** A row of buttons picking one of a few choices (a range, a window), the picked one pressed. */
export function ChoiceButtons<T extends string | number>({
  label,
  choices,
  value,
  onChange,
}: {
  /** The group's name ("Range"). */
  label: string;
  choices: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div role="group" aria-label={label} className="range-presets">
      {choices.map((c) => (
        <button
          key={c.value}
          type="button"
          className="button button-small"
          aria-pressed={c.value === value}
          onClick={() => onChange(c.value)}
        >
          {c.label}
        </button>
      ))}
    </div>
  );
}
