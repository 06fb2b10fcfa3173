import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { Dialog } from './Dialog.js';
import { MemberPicker } from './MemberPicker.js';

const GLOBAL = '__global__';

export function AddCandidateDialog({
  cohortId,
  user,
  onClose,
}: {
  cohortId: string | null;
  user: { id: string; name: string } | undefined;
  onClose: () => void;
}) {
  const [picked, setPicked] = useState(user ?? null);
  const [cohort, setCohort] = useState(cohortId ?? GLOBAL);
  const [notes, setNotes] = useState('');
  const cohorts = useQuery({ queryKey: qk.cohorts(), queryFn: () => call('cohorts.list', {}) });
  const create = useMutation({
    mutationFn: (userId: string) =>
      call('champion.create', { userId, cohortId: cohort === GLOBAL ? null : cohort, notes: notes.trim() }),
    onSuccess: onClose,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (picked) create.mutate(picked.id);
  };
  return (
    <Dialog title="Add a candidate" onClose={onClose}>
      <form onSubmit={submit} className="form" data-testid="add-candidate">
        {picked ? (
          <div className="field">
            <span>Member</span>
            <div className="picked">
              <strong>{picked.name}</strong>
              <button type="button" className="btn btn-ghost btn-small" onClick={() => setPicked(null)}>
                Change
              </button>
            </div>
          </div>
        ) : (
          <MemberPicker onPick={(m) => setPicked({ id: m.id, name: m.name })} />
        )}
        <label className="field">
          <span>Pipeline</span>
          <select value={cohort} onChange={(e) => setCohort(e.target.value)}>
            <option value={GLOBAL}>Global (ongoing champions)</option>
            {cohorts.data?.cohorts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Notes (optional)</span>
          <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} maxLength={20_000} />
        </label>
        {create.isError ? (
          <div className="form-error" role="alert">
            {errorText(create.error)}
          </div>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!picked || create.isPending}>
            Add as candidate
          </button>
        </div>
      </form>
    </Dialog>
  );
}
