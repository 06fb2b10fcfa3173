import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ConflictItem } from '../../shared/ipc.js';
import { call, CallError, errorText } from '../lib/api.js';
import { describeConflict, resolutionText } from '../lib/conflictWords.js';
import { useNavigation } from '../lib/navigation.js';

type Resolution = 'keep-server' | 'retry-mine';

/** A resolve that failed, in plain words: the core's refusal texts name fields, which a coordinator should not have to read. */
function resolveErrorText(err: unknown): string {
  if (err instanceof CallError && (err.code === 'conflict' || err.code === 'bad_request' || err.code === 'not_found')) {
    return 'Yours can no longer be applied to the card as it is now. Keep the server’s version, or make the change again on the card.';
  }
  return errorText(err);
}

/** Changes waiting behind others are shown inside the panel of the one they wait for. */
export function groupConflicts(conflicts: readonly ConflictItem[]): { conflict: ConflictItem; waiting: ConflictItem[] }[] {
  const waiting = new Map<number, ConflictItem[]>();
  for (const c of conflicts) if (c.blockedBy !== null) waiting.set(c.blockedBy, [...(waiting.get(c.blockedBy) ?? []), c]);
  const ids = new Set(conflicts.map((c) => c.id));
  // A change whose blocker is not in this list (another card's view) is shown on its own.
  return conflicts.filter((c) => c.blockedBy === null || !ids.has(c.blockedBy)).map((c) => ({ conflict: c, waiting: waiting.get(c.id) ?? [] }));
}

/**
 * One conflict: who it is about (a link to their page), the server's value beside the
 * coordinator's kept text, what happened in plain words, and only the ways out that can work.
 */
export function ConflictPanel({
  conflict,
  waiting = [],
  compact = false,
  onResolved,
  onLeave,
}: {
  conflict: ConflictItem;
  waiting?: ConflictItem[];
  compact?: boolean;
  /** Told what resolving did, in plain words, so the screen can say it after the panel is gone. */
  onResolved?: (text: string) => void;
  /** Called before following the member link (a dialog closes itself). */
  onLeave?: () => void;
}) {
  const view = describeConflict(conflict);
  const { go } = useNavigation();
  const client = useQueryClient();
  const resolve = useMutation({
    mutationFn: (resolution: Resolution) => call('conflicts.resolve', { id: conflict.id, resolution }),
    // The core also announces data.changed; refreshing the conflict list here makes the
    // resolved item disappear at once even if that event is still on its way.
    onSuccess: (_data, resolution) => {
      onResolved?.(resolutionText(conflict, resolution));
      void client.invalidateQueries({ queryKey: ['conflicts'] });
    },
  });
  const member = conflict.member;
  const waitsForAnother = conflict.blockedBy !== null;
  return (
    <div className={compact ? 'conflict conflict-compact' : 'conflict'} role="group" aria-label={view.title} data-testid="conflict">
      <div className="conflict-title">
        <span className="badge badge-conflict">Conflict</span> {view.title}
        {member ? (
          <>
            {' · '}
            <button
              type="button"
              className="link"
              data-testid="conflict-member"
              title="Open their page"
              onClick={() => {
                onLeave?.();
                go({ screen: 'member', id: member.id });
              }}
            >
              {member.name}
            </button>
          </>
        ) : null}
      </div>
      <dl className="conflict-values">
        <div>
          <dt>On the server</dt>
          <dd data-testid="conflict-server">{view.server}</dd>
        </div>
        <div>
          <dt>Yours (kept)</dt>
          <dd data-testid="conflict-mine">{view.mine}</dd>
        </div>
      </dl>
      {!compact ? <p className="muted small">{view.explanation}</p> : null}
      {waiting.length > 0 ? (
        <div className="conflict-waiting small" data-testid="conflict-waiting">
          <strong>
            {waiting.length === 1 ? 'One later change to this card waits' : `${waiting.length} later changes to this card wait`} for this decision:
          </strong>
          <ul>
            {waiting.map((w) => (
              <li key={w.id}>{describeConflict(w).mine}</li>
            ))}
          </ul>
          <span className="muted">
            “Apply mine again” sends {waiting.length === 1 ? 'it' : 'them'} after yours, in order; “Keep server’s” shows{' '}
            {waiting.length === 1 ? 'it' : 'each'} here on {waiting.length === 1 ? 'its' : 'their'} own.
          </span>
        </div>
      ) : null}
      {!conflict.retry.possible && conflict.retry.why && !waitsForAnother ? (
        <p className="muted small" data-testid="conflict-no-retry">
          Yours cannot be applied again. {conflict.retry.why}
        </p>
      ) : null}
      {resolve.isError ? <div className="form-error small">{resolveErrorText(resolve.error)}</div> : null}
      <div className="conflict-actions">
        <button type="button" className="btn btn-small" disabled={resolve.isPending} onClick={() => resolve.mutate('keep-server')}>
          {conflict.code === 'discard_too_late'
            ? 'Understood'
            : conflict.code === 'server_changed' || waitsForAnother
              ? 'Discard mine'
              : 'Keep server’s'}
        </button>
        {conflict.retry.possible ? (
          <button type="button" className="btn btn-small btn-primary" disabled={resolve.isPending} onClick={() => resolve.mutate('retry-mine')}>
            Apply mine again
          </button>
        ) : null}
      </div>
    </div>
  );
}
