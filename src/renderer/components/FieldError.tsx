/** A problem with one field, shown under it; the field points at it with aria-describedby. */
export function FieldError({ id, message, testId }: { id: string; message: string | null | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <div className="field-error" id={id} role="alert" data-testid={testId}>
      {message}
    </div>
  );
}
