import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { formErrorOf, type FormError } from '../errors.js';

/** Submit handling: busy while the call runs, the error (with field messages) when it fails. */
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const onSubmit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(formErrorOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, onSubmit };
}

export function Field(props: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  type?: string;
  autoComplete?: string;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  autoFocus?: boolean;
  maxLength?: number;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete}
        required={props.required}
        autoFocus={props.autoFocus}
        maxLength={props.maxLength}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint && (
        <span className="field-hint" id={hintId}>
          {props.hint}
        </span>
      )}
      <FieldError id={errorId} message={props.error} />
    </div>
  );
}

/** A form's submit button: disabled while the form is busy, saying what it is doing. */
export function SubmitButton({ busy, busyLabel, disabled = false, children }: { busy: boolean; busyLabel: string; disabled?: boolean; children: ReactNode }) {
  return (
    <button type="submit" disabled={busy || disabled}>
      {busy ? busyLabel : children}
    </button>
  );
}

/** A field's own message from the door (`FormError.fields`), under the field; nothing when there is none. */
export function FieldError({ message, id }: { message: string | undefined; id?: string }) {
  if (!message) return null;
  return (
    <span className="field-error" id={id}>
      {message}
    </span>
  );
}

/** The `<option>`s of a select: each value, shown by its label. */
export function Options<V extends string>({ values, labels }: { values: readonly V[]; labels: Record<V, string> }) {
  return (
    <>
      {values.map((value) => (
        <option key={value} value={value}>
          {labels[value]}
        </option>
      ))}
    </>
  );
}
