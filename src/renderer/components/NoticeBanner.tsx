import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';

/**
 * What happened to this laptop's data without the coordinator doing it (a member's data removed
 * after an erasure, the data removed after this device was signed out): shown until dismissed.
 */
export function NoticeBanner() {
  const client = useQueryClient();
  const notices = useQuery({ queryKey: qk.notices(), queryFn: () => call('notices.list', {}) });
  const dismiss = useMutation({
    mutationFn: (id: number) => call('notices.dismiss', { id }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: qk.notices() });
      void client.invalidateQueries({ queryKey: qk.authStatus() });
    },
  });
  const list = notices.data?.notices ?? [];
  if (list.length === 0) return null;
  return (
    <div className="notice-banners">
      {list.map((n) => (
        <div key={n.id} className="notice-banner" role="status" data-testid="notice">
          <span>
            {n.message}
            {n.count > 1 ? (n.kind.startsWith('member_') ? ` (${n.count} members)` : ` (${n.count} times)`) : ''}
          </span>
          <button type="button" className="btn btn-small" disabled={dismiss.isPending} onClick={() => dismiss.mutate(n.id)}>
            Dismiss
          </button>
        </div>
      ))}
      {dismiss.isError ? <div className="form-error">{errorText(dismiss.error)}</div> : null}
    </div>
  );
}
