import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { Dialog } from './Dialog.js';
import { FormFooter } from './FormFooter.js';
import { MemberField } from './MemberField.js';
import { cohortIdOf, GLOBAL_PIPELINE, PipelineOptions } from './PipelineOptions.js';

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
  const [cohort, setCohort] = useState(cohortId ?? GLOBAL_PIPELINE);
  const [notes, setNotes] = useState('');
  const create = useMutation({
    mutationFn: (userId: string) =>
      call('champion.create', { userId, cohortId: cohortIdOf(cohort), notes: notes.trim() }),
    onSuccess: onClose,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (picked) create.mutate(picked.id);
  };
  return (
    <Dialog title="Add a candidate" onClose={onClose}>
      <form onSubmit={submit} className="form" data-testid="add-candidate">
        <MemberField
          name={picked?.name ?? null}
          onPick={(m) => setPicked({ id: m.id, name: m.name })}
          onChange={() => setPicked(null)}
        />
        <label className="field">
          <span>Pipeline</span>
          <select value={cohort} onChange={(e) => setCohort(e.target.value)}>
            <PipelineOptions />
          </select>
        </label>
        <label className="field">
          <span>Notes (optional)</span>
          <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} maxLength={20_000} />
        </label>
        <FormFooter mutation={create} onCancel={onClose} disabled={!picked} submitLabel="Add as candidate" />
      </form>
    </Dialog>
  );
}
