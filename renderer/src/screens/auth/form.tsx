import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiCallError } from '../../api/index.js';

export interface FormError {
  message: string;
  /** per-field messages from `details.issues` */
  fields: Record<string, string>;
  code?: string;
}

export function formErrorOf(err: unknown): FormError {
  if (err instanceof ApiCallError) {
    const fields: Record<string, string> = {};
    const issues = (err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
    for (const issue of issues) if (issue.path && !fields[issue.path]) fields[issue.path] = issue.message;
    return { message: err.message, fields, code: err.code };
  }
  return { message: 'Something went wrong. Try again.', fields: {} };
}

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
      {props.error && (
        <span className="field-error" id={errorId}>
          {props.error}
        </span>
      )}
    </div>
  );
}

export const PASSWORD_HINT = 'At least 12 characters. A few unrelated words work well; any characters are fine.';
