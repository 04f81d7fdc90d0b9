import type { InputHTMLAttributes, Ref } from 'react';

function describedBy(id: string, hint: boolean, errors: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : '', errors ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldMessages({ id, hint, errors }: { id: string; hint?: string; errors?: string[] }) {
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
  type?: 'text' | 'number' | 'url';
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
