import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PendingItem } from '../../shared/ipc.js';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { dateLabel, relativeTime, timeLabel } from '../lib/dates.js';
import { useNow } from '../lib/useNow.js';
import { useNavigation } from '../lib/navigation.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Empty, ErrorState, Loading } from './States.js';

const STATE_WORDS: Record<PendingItem['state'], string> = {
  waiting: 'Not sent yet',
  sent: 'Sent, waiting for the server’s answer',
  applied: 'Applied on the server; shows after the next sync',
};

/**
 * The coordinator's changes not yet confirmed by the server (issue 15, Sync screen): what, about
 * whom, when, and a Discard that asks first. A discard takes the later changes to the same card
 * with it (they were made on top of it); the core says how many.
 */
export function PendingChangesPanel({ revision }: { revision: string }) {
  const now = useNow(10_000);
  const { go } = useNavigation();
  const client = useQueryClient();
  // `revision` moves with every sync status change, so the list follows pushes and pulls.
  const pending = useQuery({ queryKey: [...qk.pending(), revision], queryFn: () => call('pending.list', {}) });
  const [asking, setAsking] = useState<PendingItem | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const discard = useMutation({
    mutationFn: (id: number) => call('pending.discard', { id }),
    onSuccess: (r) => {
      setSaid(
        r.discarded.length === 1
          ? 'The change was discarded.'
          : `The change and ${r.discarded.length - 1} later change${r.discarded.length === 2 ? '' : 's'} to the same card were discarded.`,
      );
      setAsking(null);
      void client.invalidateQueries({ queryKey: qk.pending() });
    },
  });
  return (
    <section className="panel" aria-labelledby="pending-title" data-testid="pending-changes">
      <h2 id="pending-title">Pending changes</h2>
      <p className="muted small">Changes made on this laptop that the server has not confirmed yet, oldest first.</p>
      {said ? (
        <p className="notice small" role="status" data-testid="pending-said">
          {said}
        </p>
      ) : null}
      {pending.isPending ? (
        <Loading />
      ) : pending.isError ? (
        <ErrorState error={pending.error} onRetry={() => void pending.refetch()} />
      ) : pending.data.items.length === 0 ? (
        <Empty title="Nothing pending">Nothing is waiting to be sent to the server.</Empty>
      ) : (
        <ul className="pending-list">
          {pending.data.items.map((p) => (
            <li key={p.id} className="pending-item" data-testid="pending-item">
              <div className="pending-what">
                <strong>{p.what}</strong>
                {p.member ? (
                  <>
                    {' · '}
                    <button type="button" className="link" title="Open their page" onClick={() => go({ screen: 'member', id: p.member!.id })}>
                      {p.member.name}
                    </button>
                  </>
                ) : null}
              </div>
              <div className="muted small">
                <span title={`${dateLabel(p.createdAt)} ${timeLabel(p.createdAt)}`}>{relativeTime(p.createdAt, now)}</span> · {STATE_WORDS[p.state]}
              </div>
              {p.state !== 'applied' ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setAsking(p)}
                  aria-label={`Discard: ${p.what}${p.member ? ` for ${p.member.name}` : ''}`}
                >
                  Discard
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {asking ? (
        <ConfirmDialog
          title="Discard this change?"
          confirmLabel="Discard"
          cancelLabel="Keep it"
          busy={discard.isPending}
          error={discard.isError ? errorText(discard.error) : null}
          onConfirm={() => discard.mutate(asking.id)}
          onCancel={() => {
            setAsking(null);
            discard.reset();
          }}
        >
          <p>
            “{asking.what}”{asking.member ? ` for ${asking.member.name}` : ''} will be undone on this laptop and not applied on the server. Later
            changes to the same card, made on top of it, are discarded with it.
          </p>
          {asking.state === 'sent' ? (
            <p className="muted small">It was already sent; if the server applied it before the discard arrives, you will be told.</p>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Pulled changes this laptop could not store, put aside so the rest of the sync went on. */
export function QuarantinePanel({ revision }: { revision: string }) {
  const q = useQuery({ queryKey: [...qk.quarantine(), revision], queryFn: () => call('quarantine.list', {}) });
  if (!q.data || q.data.items.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="quarantine-title" data-testid="quarantine">
      <h2 id="quarantine-title">Changes this laptop could not store</h2>
      <p className="muted small">
        The server sent these, but they break the rules this app stores data by. Everything else was synced; each is replaced as soon as the server
        sends a version that can be stored. Tell whoever runs the server.
      </p>
      <ul className="pending-list">
        {q.data.items.map((item) => (
          <li key={item.id} className="pending-item" data-testid="quarantine-item">
            <div>{item.reason}</div>
            <div className="muted small" title={item.rowId}>
              Received {dateLabel(item.receivedAt)} {timeLabel(item.receivedAt)}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
