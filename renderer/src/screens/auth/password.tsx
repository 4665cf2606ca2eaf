import { Field } from '../../components/form.js';
import type { FormError } from '../../errors.js';

const PASSWORD_HINT = 'At least 12 characters. A few unrelated words work well; any characters are fine.';

/**
 * A new password typed twice, with the password rules under the first. `noun`
 * names it in the labels ("Password", "New password again").
 */
export function NewPasswordFields(props: {
  noun: 'password' | 'new password';
  name: string;
  value: string;
  confirm: string;
  onChange(value: string): void;
  onConfirm(value: string): void;
  error: FormError | null;
}) {
  const label = props.noun === 'password' ? 'Password' : 'New password';
  return (
    <>
      <Field
        label={label}
        name={props.name}
        type="password"
        value={props.value}
        onChange={props.onChange}
        autoComplete="new-password"
        required
        hint={PASSWORD_HINT}
        error={props.error?.fields[props.name]}
      />
      <Field
        label={`${label} again`}
        name="confirm"
        type="password"
        value={props.confirm}
        onChange={props.onConfirm}
        autoComplete="new-password"
        required
        error={props.error?.fields.confirm}
      />
    </>
  );
}

/** The form's error when the password typed twice differs, or null when both are the same. */
export function passwordsDiffer(noun: 'password' | 'new password', value: string, confirm: string): FormError | null {
  if (value === confirm) return null;
  return { message: `The two ${noun}s are not the same.`, fields: { confirm: `Type the same ${noun} again.` } };
}
