import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ChampionCard, ConflictItem } from '../../shared/ipc.js';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { dateLabel, durationSince, timeLabel } from '../lib/dates.js';
import { useNavigation } from '../lib/navigation.js';
import { useNow } from '../lib/useNow.js';
import { Dialog } from './Dialog.js';
import { PendingBadge, StageBadge, stageLabel } from './Badges.js';
import { ConflictPanel, groupConflicts } from './ConflictPanel.js';
import { cohortIdOf, GLOBAL_PIPELINE, PipelineOptions } from './PipelineOptions.js';
import { FormFooter } from './FormFooter.js';
import { ErrorState, Loading } from './States.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { NOTES_MAX } from '../../shared/limits.js';

export function CardDetail({
  card,
  conflicts,
  onClose,
  onMove,
}: {
  card: ChampionCard;
  conflicts: ConflictItem[];
  onClose: () => void;
  onMove: () => void;
}) {
  const { go } = useNavigation();
  const now = useNow();
  const c = card.champion;
  const [notes, setNotes] = useState(c.notes);
  const history = useQuery({ queryKey: qk.history(c.id), queryFn: () => call('champion.history', { id: c.id }) });
  const saveNotes = useMutation({ mutationFn: () => call('champion.setNotes', { id: c.id, notes }) });
  const remove = useMutation({ mutationFn: () => call('champion.remove', { id: c.id }), onSuccess: onClose });
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [cohort, setCohort] = useState(c.cohort_id ?? GLOBAL_PIPELINE);
  // The card leaves this board when its pipeline changes, so the dialog closes with it.
  const setCohortMutation = useMutation({
    mutationFn: () => call('champion.setCohort', { id: c.id, cohortId: cohortIdOf(cohort) }),
    onSuccess: onClose,
  });
  const name = card.userName ?? c.user_id;
  const dirty = notes !== c.notes;

  return (
    <Dialog title={name} onClose={onClose} wide>
      <div className="detail" data-testid="card-detail">
        <div className="detail-meta">
          <StageBadge stage={c.stage} />
          <span>{card.cohortName ?? 'Global (ongoing)'}</span>
          {card.enteredStageAt ? <span className="muted">time in stage: {durationSince(card.enteredStageAt, now)}</span> : null}
          {card.pending ? <PendingBadge /> : null}
          {c.selected_at ? <span className="muted small">selected {dateLabel(c.selected_at)}</span> : null}
          {c.became_champion_at ? <span className="muted small">champion since {dateLabel(c.became_champion_at)}</span> : null}
        </div>
        <div className="detail-actions">
          <button type="button" className="btn" onClick={onMove}>
            Move to…
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              onClose();
              go({ screen: 'member', id: c.user_id });
            }}
          >
            Open profile
          </button>
          {c.stage === 'candidate' ? (
            <button type="button" className="btn btn-danger" disabled={remove.isPending} onClick={() => setConfirmRemove(true)}>
              Remove candidate
            </button>
          ) : null}
        </div>
        {confirmRemove ? (
          <ConfirmDialog
            title={`Remove ${name} from the candidates?`}
            confirmLabel="Remove"
            cancelLabel="Keep"
            busy={remove.isPending}
            error={remove.isError ? errorText(remove.error) : null}
            onConfirm={() => remove.mutate()}
            onCancel={() => {
              remove.reset();
              setConfirmRemove(false);
            }}
          >
            <p>
              Their card and its notes leave {card.cohortName ? `the ${card.cohortName} pipeline` : 'the global pipeline'} on this laptop now, and on
              the server at the next sync. To bring them back, add them as a candidate again.
            </p>
          </ConfirmDialog>
        ) : null}

        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (cohort !== (c.cohort_id ?? GLOBAL_PIPELINE)) setCohortMutation.mutate();
          }}
        >
          <label className="select">
            <span>Pipeline</span>
            <select value={cohort} onChange={(e) => setCohort(e.target.value)}>
              <PipelineOptions current={c.cohort_id ?? GLOBAL_PIPELINE} />
            </select>
          </label>
          <button type="submit" className="btn btn-small" disabled={cohort === (c.cohort_id ?? GLOBAL_PIPELINE) || setCohortMutation.isPending}>
            Change pipeline
          </button>
        </form>
        {setCohortMutation.isError ? <div className="form-error">{errorText(setCohortMutation.error)}</div> : null}

        {groupConflicts(conflicts).map(({ conflict, waiting }) => (
          <ConflictPanel key={conflict.id} conflict={conflict} waiting={waiting} onLeave={onClose} />
        ))}

        <form
          className="notes-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (dirty) saveNotes.mutate();
          }}
        >
          <label className="field">
            <span>Notes</span>
            <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={5} maxLength={NOTES_MAX} />
          </label>
          <FormFooter
            mutation={saveNotes}
            disabled={!dirty}
            submitLabel="Save notes"
            status={saveNotes.isSuccess && !dirty ? <span className="muted small">Saved on this laptop</span> : null}
          />
        </form>

        <h3>Stage history</h3>
        {history.isPending ? (
          <Loading />
        ) : history.isError ? (
          <ErrorState error={history.error} onRetry={() => void history.refetch()} />
        ) : history.data.changes.length === 0 ? (
          <p className="muted">No history yet.</p>
        ) : (
          <ol className="history">
            {history.data.changes.map((h) => (
              <li key={h.id}>
                <time className="history-when muted small" dateTime={h.changed_at}>
                  {dateLabel(h.changed_at)} {timeLabel(h.changed_at)}
                </time>
                <span>
                  {h.from_stage ? `${stageLabel(h.from_stage)} → ` : 'Added as '}
                  <strong>{stageLabel(h.to_stage)}</strong>
                </span>
                <span className="muted small" title={h.changed_by}>
                  by {h.changedByName ?? 'a coordinator not on this laptop'}
                </span>
                {h.reason ? <span className="history-reason">“{h.reason}”</span> : null}
                {h.pending ? <PendingBadge /> : null}
              </li>
            ))}
          </ol>
        )}
      </div>
    </Dialog>
  );
}
