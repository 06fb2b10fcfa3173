import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { TARGET_TYPES, type ActionType, type TargetType } from '../../shared/enums.js';
import { call, CallError } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { localInputToIso, nowLocalInput } from '../lib/dates.js';
import { Dialog } from './Dialog.js';
import { ActionTypeOptions } from './ActionTypeOptions.js';
import { FormFooter } from './FormFooter.js';
import { MemberField } from './MemberField.js';

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
  const [localError, setLocalError] = useState<string | null>(null);

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
    if (!memberId) return setLocalError('Choose a member first.');
    const occurredAt = localInputToIso(when);
    if (!occurredAt) return setLocalError('When: enter a date and time.');
    record.mutate(occurredAt);
  };
  const field = record.error instanceof CallError ? record.error.field : undefined;

  return (
    <Dialog title="Record an action" onClose={onClose}>
      <form onSubmit={submit} className="form" data-testid="record-action">
        <MemberField
          name={memberId ? (member.data?.user.name ?? picked?.name ?? memberId) : null}
          onPick={(m) => setPicked({ id: m.id, name: m.name })}
          onChange={userId ? undefined : () => setPicked(null)}
        />
        <div className="form-row">
          <label className="field">
            <span>Action</span>
            <select value={actionType} onChange={(e) => setActionType(e.target.value as ActionType)} aria-invalid={field === 'actionType' || undefined}>
              <ActionTypeOptions />
            </select>
          </label>
          <label className="field">
            <span>When</span>
            <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} required />
          </label>
        </div>
        <div className="form-row">
          <label className="field">
            <span>Target (optional)</span>
            <select value={targetType} onChange={(e) => setTargetType(e.target.value as TargetType | '')}>
              <option value="">None</option>
              {TARGET_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t.replace('_', ' ')}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Target id (optional)</span>
            <input value={targetId} onChange={(e) => setTargetId(e.target.value)} maxLength={128} disabled={!targetType} />
          </label>
        </div>
        {member.data && member.data.enrollments.length > 0 ? (
          <label className="field">
            <span>Enrollment (optional)</span>
            <select value={enrollmentId} onChange={(e) => setEnrollmentId(e.target.value)}>
              <option value="">None</option>
              {member.data.enrollments.map((en) => (
                <option key={en.id} value={en.id}>
                  {en.course_name ?? en.id}
                  {en.cohort_name ? ` — ${en.cohort_name}` : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="field">
          <span>Note (optional)</span>
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={2000} />
        </label>
        <FormFooter mutation={record} localError={localError} onCancel={onClose} submitLabel="Record" />
      </form>
    </Dialog>
  );
}
