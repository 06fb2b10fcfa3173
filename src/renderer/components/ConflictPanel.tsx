import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ConflictItem } from '../../shared/ipc.js';
import { call, errorText } from '../lib/api.js';
import { describeConflict } from '../lib/conflicts.js';

/** One conflict: the server's value beside the coordinator's kept text, and the two ways out. */
export function ConflictPanel({ conflict, compact = false }: { conflict: ConflictItem; compact?: boolean }) {
  const view = describeConflict(conflict);
  const client = useQueryClient();
  const resolve = useMutation({
    mutationFn: (resolution: 'keep-server' | 'retry-mine') => call('conflicts.resolve', { id: conflict.id, resolution }),
    // The core also announces data.changed; refreshing the conflict list here makes the
    // resolved item disappear at once even if that event is still on its way.
    onSuccess: () => void client.invalidateQueries({ queryKey: ['conflicts'] }),
  });
  return (
    <div className={compact ? 'conflict conflict-compact' : 'conflict'} role="group" aria-label={view.title} data-testid="conflict">
      <div className="conflict-title">
        <span className="badge badge-conflict">Conflict</span> {view.title}
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
      {!compact ? <p className="muted small">{conflict.message}</p> : null}
      {resolve.isError ? <div className="form-error small">{errorText(resolve.error)}</div> : null}
      <div className="conflict-actions">
        <button type="button" className="btn btn-small" disabled={resolve.isPending} onClick={() => resolve.mutate('keep-server')}>
          Keep server’s
        </button>
        <button
          type="button"
          className="btn btn-small btn-primary"
          disabled={resolve.isPending}
          onClick={() => resolve.mutate('retry-mine')}
        >
          Apply mine again
        </button>
      </div>
    </div>
  );
}
