import type { ReactNode } from 'react';
import { errorText } from '../lib/api.js';

/** The slice of a react-query mutation a form's foot reads. */
export interface MutationState {
  isError: boolean;
  isPending: boolean;
  error: unknown;
}

/** A failed mutation's message in plain words, or null while it has not failed. */
const failureText = (mutation: Pick<MutationState, 'isError' | 'error'>): string | null => (mutation.isError ? errorText(mutation.error) : null);

/** An error announced to screen readers as it appears; nothing when there is none. */
export function FormError({ message, testId }: { message: string | null | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

/**
 * The foot every dialog form shares: what went wrong (a check made before sending wins over
 * the mutation's own error), then Cancel and the primary submit button, which stays disabled
 * while the mutation is in flight so a double press cannot send it twice.
 */
export function FormFooter({
  mutation,
  submitLabel,
  onCancel,
  disabled = false,
  localError = null,
  status,
  hideMutationError = false,
}: {
  mutation: MutationState;
  submitLabel: ReactNode;
  /** Without it there is no Cancel button (a form inside a larger dialog). */
  onCancel?: () => void;
  /** A reason besides a pending mutation to keep the submit button disabled. */
  disabled?: boolean;
  localError?: string | null;
  /** Shown beside the buttons, e.g. that a save has landed. */
  status?: ReactNode;
  /** The form shows the mutation's problem next to its field instead. */
  hideMutationError?: boolean;
}) {
  return (
    <>
      <FormError message={localError || (hideMutationError ? null : failureText(mutation))} />
      <div className="dialog-actions">
        {status}
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={disabled || mutation.isPending}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
