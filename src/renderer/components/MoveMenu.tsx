import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { STAGES, type Stage } from '../../shared/enums.js';
import type { ChampionCard } from '../../shared/ipc.js';
import { defaultTarget, moveBlockedReason } from '../lib/moves.js';
import { call } from '../lib/api.js';
import { Dialog } from './Dialog.js';
import { stageLabel } from './Badges.js';
import { FormFooter } from './FormFooter.js';
import { REASON_MAX } from '../../shared/limits.js';

export function MoveMenu({
  card,
  initialTo,
  onClose,
  onMoved,
}: {
  card: ChampionCard;
  /** The stage chosen already (a card dropped on a column); the menu then only asks for the reason. */
  initialTo?: Stage;
  onClose: () => void;
  onMoved: (id: string, to: Stage) => void;
}) {
  const from = card.champion.stage;
  const [to, setTo] = useState<Stage>(initialTo ?? defaultTarget(from));
  const [reason, setReason] = useState('');
  const move = useMutation({
    mutationFn: () => call('champion.move', { id: card.champion.id, to, reason: reason.trim() || null }),
    onSuccess: () => onMoved(card.champion.id, to),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (moveBlockedReason(from, to) === null) move.mutate();
  };
  const onRadioKey = (e: KeyboardEvent<HTMLInputElement>) => {
    // Enter on a radio does not submit a form natively; a keyboard user expects it to.
    if (e.key === 'Enter') submit(e);
  };
  const name = card.userName ?? card.champion.user_id;
  return (
    <Dialog title={`Move ${name}`} onClose={onClose}>
      <form onSubmit={submit} className="move-menu" data-testid="move-menu">
        <fieldset>
          <legend>
            Move from <strong>{stageLabel(from)}</strong> to…
          </legend>
          {STAGES.map((stage) => {
            const blocked = moveBlockedReason(from, stage);
            return (
              <label key={stage} className={blocked ? 'move-option disabled' : 'move-option'}>
                <input
                  type="radio"
                  name="to"
                  value={stage}
                  checked={to === stage}
                  disabled={blocked !== null}
                  onChange={() => setTo(stage)}
                  onKeyDown={onRadioKey}
                  data-autofocus={stage === to && !initialTo ? '' : undefined}
                />
                <span className="move-stage">{stageLabel(stage)}</span>
                {blocked ? <span className="muted small">{blocked}</span> : null}
              </label>
            );
          })}
        </fieldset>
        <label className="field">
          <span>Reason (optional)</span>
          <textarea
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              // Enter moves (the reason is optional); Shift+Enter starts a new line.
              if (e.key === 'Enter' && !e.shiftKey) submit(e);
            }}
            rows={2}
            maxLength={REASON_MAX}
            data-autofocus={initialTo ? '' : undefined}
          />
        </label>
        <FormFooter mutation={move} onCancel={onClose} submitLabel={`Move to ${stageLabel(to)}`} />
      </form>
    </Dialog>
  );
}
