import type { InputHTMLAttributes, Ref } from 'react';

export function describedBy(id: string, hint: boolean, errors: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : '', errors ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function FieldMessages({
  id,
  hint,
  errors,
}: {
  id: string;
  hint?: string;
  errors?: string[];
}) {
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {errors && errors.length > 0 && (
        <p id={`${id}-error`} className="field-error">
          {errors.map((message, i) => (
            <span key={i} className="field-error-line">
              {i > 0 && ' '}
              {message}
            </span>
          ))}
        </p>
      )}
    </>
  );
}

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'value' | 'onChange' | 'type' | 'aria-invalid' | 'aria-describedby'
>;

interface TextFieldProps extends InputProps {
  id: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  type?: 'text' | 'number' | 'url' | 'time' | 'date' | 'email' | 'password';
  hint?: string;
  errors?: string[];
  inputRef?: Ref<HTMLInputElement>;
}

export function TextField({
  id,
  label,
  value,
  onValueChange,
  type = 'text',
  hint,
  errors,
  inputRef,
  ...rest
}: TextFieldProps) {
  const invalid = !!errors && errors.length > 0;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        {...rest}
        ref={inputRef}
        id={id}
        type={type}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(id, !!hint, invalid)}
      />
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}

interface CheckboxFieldProps {
  id: string;
  label: string;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  hint?: string;
  errors?: string[];
  disabled?: boolean;
}

export function CheckboxField({
  id,
  label,
  checked,
  onCheckedChange,
  hint,
  errors,
  disabled,
}: CheckboxFieldProps) {
  const invalid = !!errors && errors.length > 0;
  return (
    <div className="field field-checkbox">
      <div className="checkbox-row">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onCheckedChange(e.target.checked)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy(id, !!hint, invalid)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}

interface SelectFieldProps {
  id: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
  hint?: string;
  errors?: string[];
  disabled?: boolean;
}

export function SelectField({
  id,
  label,
  value,
  onValueChange,
  options,
  hint,
  errors,
  disabled,
}: SelectFieldProps) {
  const invalid = !!errors && errors.length > 0;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(id, !!hint, invalid)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}

export interface Choice {
  value: string;
  label: string;
  /** Extra class on the option's label (e.g. a risk colour). */
  className?: string;
}

interface CheckboxGroupProps {
  id: string;
  legend: string;
  choices: readonly Choice[];
  selected: readonly string[];
  onSelectedChange: (selected: string[]) => void;
  hint?: string;
  errors?: string[];
  disabled?: boolean;
  /** Shown instead of the choices when there are none. */
  emptyText?: string;
}

/** A fieldset of checkboxes; `selected` keeps the order of `choices`. */
export function CheckboxGroup({
  id,
  legend,
  choices,
  selected,
  onSelectedChange,
  hint,
  errors,
  disabled,
  emptyText,
}: CheckboxGroupProps) {
  const invalid = !!errors && errors.length > 0;
  const toggle = (value: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(value);
    else next.delete(value);
    // Keep choices in their listed order, then anything selected that is not listed.
    const listed = choices.map((c) => c.value).filter((v) => next.has(v));
    const unlisted = [...next].filter((v) => !choices.some((c) => c.value === v));
    onSelectedChange([...listed, ...unlisted]);
  };
  return (
    <fieldset
      className="choice-group"
      aria-describedby={describedBy(id, !!hint, invalid)}
      disabled={disabled}
    >
      <legend>{legend}</legend>
      {choices.length === 0 && emptyText ? (
        <p className="muted choice-empty">{emptyText}</p>
      ) : (
        <div className="choice-list">
          {choices.map((choice) => (
            <label
              key={choice.value}
              className={choice.className ? `choice ${choice.className}` : 'choice'}
            >
              <input
                type="checkbox"
                checked={selected.includes(choice.value)}
                onChange={(e) => toggle(choice.value, e.target.checked)}
              />
              {choice.label}
            </label>
          ))}
        </div>
      )}
      <FieldMessages id={id} hint={hint} errors={errors} />
    </fieldset>
  );
}
