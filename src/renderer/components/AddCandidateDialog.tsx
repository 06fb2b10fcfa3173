import { useId, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { NOTES_MAX } from '../../shared/limits.js';
import { stageLabel } from '../../shared/labels.js';
import { call, problemOf } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { Dialog } from './Dialog.js';
import { FieldError } from './FieldError.js';
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
  const ids = { member: useId(), notes: useId() };
  const pipeline = cohortIdOf(cohort);
  // Who is in the chosen pipeline already, and at which stage: marked in the picker.
  const board = useQuery({ queryKey: qk.board(pipeline), queryFn: () => call('board.get', { cohortId: pipeline }) });
  const stageOf = useMemo(
    () => new Map((board.data?.columns ?? []).flatMap((col) => col.cards.map((c) => [c.champion.user_id, col.stage] as const))),
    [board.data],
  );
  const create = useMutation({
    mutationFn: (userId: string) => call('champion.create', { userId, cohortId: pipeline, notes: notes.trim() }),
    onSuccess: onClose,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (picked) create.mutate(picked.id);
  };
  const problem = create.isError ? problemOf(create.error) : null;
  const memberProblem = problem && (problem.field === 'userId' || problem.field === 'cohortId') ? problem.text : null;
  const already = picked ? stageOf.get(picked.id) : undefined;
  return (
    <Dialog title="Add a candidate" onClose={onClose}>
      <form onSubmit={submit} className="form" data-testid="add-candidate">
        <MemberField
          name={picked?.name ?? null}
          onPick={(m) => {
            create.reset();
            setPicked({ id: m.id, name: m.name });
          }}
          onChange={() => {
            create.reset();
            setPicked(null);
          }}
          errorId={ids.member}
          noteFor={(m) => {
            const stage = stageOf.get(m.id);
            return stage ? { text: `Already ${stageLabel(stage)} in this pipeline`, disabled: true } : null;
          }}
        />
        <FieldError
          id={ids.member}
          message={memberProblem ?? (already ? `Already ${stageLabel(already)} in this pipeline: choose another member or pipeline.` : null)}
        />
        <label className="field">
          <span>Pipeline</span>
          <select value={cohort} onChange={(e) => setCohort(e.target.value)}>
            <PipelineOptions current={cohort} />
          </select>
        </label>
        <div className="field">
          <label htmlFor={ids.notes}>Notes (optional)</label>
          <textarea id={ids.notes} value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} maxLength={NOTES_MAX} />
        </div>
        <FormFooter
          mutation={create}
          onCancel={onClose}
          disabled={!picked || already !== undefined}
          submitLabel="Add as candidate"
          hideMutationError={memberProblem !== null}
        />
      </form>
    </Dialog>
  );
}
