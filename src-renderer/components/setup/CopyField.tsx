import { useRef, useState } from 'react';

/** A read-only value to type into a camera, with a Copy button (selects it if copying fails). */
export function CopyField({
  id,
  label,
  value,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  hint?: string;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState('');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setNote(`${label} copied`);
    } catch {
      inputRef.current?.select();
      setNote('Could not copy: the text is selected, press Ctrl+C (⌘C on a Mac)');
    }
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          ref={inputRef}
          id={id}
          type="text"
          readOnly
          value={value}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          className="button"
          aria-label={`Copy ${label.toLowerCase()}`}
          onClick={() => void copy()}
        >
          Copy
        </button>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      <p className="copy-note" aria-live="polite">
        {note}
      </p>
    </div>
  );
}
