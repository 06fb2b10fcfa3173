import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { TARGET_TYPES, type ActionType, type TargetType } from '../../shared/enums.js';
import { enrollmentLabel } from '../../shared/enrollmentLabel.js';
import { humanizeKey } from '../../shared/labels.js';
import { MAX_CLOCK_SKEW_MS, TARGET_ID_MAX, TIMESTAMP_MIN } from '../../shared/limits.js';
import { call, problemOf } from '../lib/api.js';
import { describeIpcError } from '../lib/errorWords.js';
import { qk } from '../lib/queryKeys.js';
import { isoToLocalInput, localInputToIso, nowLocalInput } from '../lib/dates.js';
import { Dialog } from './Dialog.js';
import { ActionTypeOptions } from './ActionTypeOptions.js';
import { FormFooter } from './FormFooter.js';
import { FieldError } from './FieldError.js';
import { MemberField } from './MemberField.js';

const NOTE_MAX = 2000;
/** The first day the contract stores, as the input's `min` (the check below is exact; this guides the picker). */
const MIN_INPUT = `${TIMESTAMP_MIN.slice(0, 10)}T00:00`;

/** Records a manual action. It is written to the laptop first, so it works offline. */
export function RecordActionDialog({ userId, onClose }: { userId: string | undefined; onClose: () => void }) {
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(null);
  const memberId = userId ?? picked?.id ?? null;
  const member = useQuery({
    queryKey: qk.member(memberId ?? ''),
    queryFn: () => call('member.get', { id: memberId ?? '' }),
    enabled: memberId !== null,
  });
  const [actionType, setActionType] = useState<ActionType>('answered_question');
  const [targetType, setTargetType] = useState<TargetType | ''>('');
  const [targetId, setTargetId] = useState('');
  const [enrollmentId, setEnrollmentId] = useState('');
  const [when, setWhen] = useState(nowLocalInput());
  const [note, setNote] = useState('');
  const [localError, setLocalError] = useState<{ field: string | null; text: string } | null>(null);
  const ids = { when: useId(), member: useId(), action: useId(), targetType: useId(), targetId: useId(), enrollment: useId(), note: useId() };

  const record = useMutation({
    mutationFn: (occurredAt: string) =>
      call('action.record', {
        userId: memberId ?? '',
        enrollmentId: enrollmentId || null,
        actionType,
        targetType: targetType || null,
        targetId: targetId.trim() || null,
        metadata: note.trim() ? { note: note.trim(), recorded_by: 'coordinator' } : { recorded_by: 'coordinator' },
        occurredAt,
      }),
    onSuccess: onClose,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setLocalError(null);
    if (!memberId) return setLocalError({ field: 'userId', text: 'Choose a member first.' });
    const occurredAt = localInputToIso(when);
    if (!occurredAt) return setLocalError({ field: 'occurredAt', text: 'Enter a date and a time.' });
    // The same bounds the contract holds, said before sending (and in the same words).
    if (occurredAt < TIMESTAMP_MIN.replace('.000Z', 'Z')) {
      return setLocalError(describeIpcError({ code: 'bad_request', field: 'occurredAt', message: 'occurredAt: too early' }));
    }
    if (Date.parse(occurredAt) > Date.now() + MAX_CLOCK_SKEW_MS) {
      return setLocalError(describeIpcError({ code: 'bad_request', field: 'occurredAt', message: 'occurredAt: must not be in the future' }));
    }
    record.mutate(occurredAt);
  };
  const failure = localError ?? (record.isError ? problemOf(record.error) : null);
  const fieldError = (field: string) => (failure?.field === field ? failure.text : null);
  const formError =
    failure && !['occurredAt', 'userId', 'targetId', 'enrollmentId', 'metadata', 'actionType'].includes(failure.field ?? '') ? failure.text : null;
  const describedBy = (field: string, id: string) => (fieldError(field) ? id : undefined);

  return (
    <Dialog title="Record an action" onClose={onClose}>
      <form onSubmit={submit} className="form" data-testid="record-action" noValidate>
        <MemberField
          name={memberId ? (member.data?.user.name ?? picked?.name ?? 'Loading…') : null}
          onPick={(m) => {
            setPicked({ id: m.id, name: m.name });
            // The problem was that nobody was chosen; somebody now is.
            if (localError?.field === 'userId') setLocalError(null);
          }}
          onChange={userId ? undefined : () => setPicked(null)}
          errorId={ids.member}
        />
        <FieldError id={ids.member} message={fieldError('userId')} />
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${ids.action}-input`}>Action</label>
            <select
              id={`${ids.action}-input`}
              value={actionType}
              onChange={(e) => setActionType(e.target.value as ActionType)}
              aria-invalid={fieldError('actionType') ? true : undefined}
            >
              <ActionTypeOptions />
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${ids.when}-input`}>When</label>
            <input
              id={`${ids.when}-input`}
              type="datetime-local"
              value={when}
              min={MIN_INPUT}
              max={isoToLocalInput(Date.now())}
              onChange={(e) => {
                setWhen(e.target.value);
                if (localError?.field === 'occurredAt') setLocalError(null);
              }}
              required
              aria-invalid={fieldError('occurredAt') ? true : undefined}
              aria-describedby={describedBy('occurredAt', ids.when)}
            />
            <FieldError id={ids.when} message={fieldError('occurredAt')} testId="when-error" />
          </div>
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${ids.targetType}-input`}>Target (optional)</label>
            <select id={`${ids.targetType}-input`} value={targetType} onChange={(e) => setTargetType(e.target.value as TargetType | '')}>
              <option value="">None</option>
              {TARGET_TYPES.map((t) => (
                <option key={t} value={t}>
                  {humanizeKey(t)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${ids.targetId}-input`}>Target id (optional)</label>
            <input
              id={`${ids.targetId}-input`}
              value={targetId}
              onChange={(e) => setTargetId(e.target.value)}
              maxLength={TARGET_ID_MAX}
              disabled={!targetType}
              aria-invalid={fieldError('targetId') ? true : undefined}
              aria-describedby={describedBy('targetId', ids.targetId)}
            />
            <FieldError id={ids.targetId} message={fieldError('targetId')} />
          </div>
        </div>
        {member.data && member.data.enrollments.length > 0 ? (
          <div className="field">
            <label htmlFor={`${ids.enrollment}-input`}>Enrollment (optional)</label>
            <select
              id={`${ids.enrollment}-input`}
              value={enrollmentId}
              onChange={(e) => setEnrollmentId(e.target.value)}
              aria-invalid={fieldError('enrollmentId') ? true : undefined}
              aria-describedby={describedBy('enrollmentId', ids.enrollment)}
            >
              <option value="">None</option>
              {member.data.enrollments.map((en) => (
                <option key={en.id} value={en.id} title={enrollmentLabel(en.course_name, en.cohortName)}>
                  {enrollmentLabel(en.course_name, en.cohortName)}
                </option>
              ))}
            </select>
            <FieldError id={ids.enrollment} message={fieldError('enrollmentId')} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={`${ids.note}-input`}>Note (optional)</label>
          <textarea
            id={`${ids.note}-input`}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            rows={3}
            maxLength={NOTE_MAX}
            aria-invalid={fieldError('metadata') ? true : undefined}
            aria-describedby={describedBy('metadata', ids.note)}
          />
          <FieldError id={ids.note} message={fieldError('metadata')} />
        </div>
        <FormFooter mutation={record} localError={formError} onCancel={onClose} submitLabel="Record" hideMutationError={failure !== null} />
      </form>
    </Dialog>
  );
}
