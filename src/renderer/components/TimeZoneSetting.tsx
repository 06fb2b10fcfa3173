import { useMemo } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { systemTimeZone } from '../lib/dates.js';

/** Settings › Time zone: the computer's own (the default) or any named zone, kept on this laptop. */
export function TimeZoneSetting() {
  const client = useQueryClient();
  const prefs = useQuery({ queryKey: qk.preferences(), queryFn: () => call('preferences.get', {}) });
  const zones = useMemo(() => {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    return ['UTC', ...all.filter((z) => z !== 'UTC')];
  }, []);
  const save = useMutation({
    mutationFn: (timeZone: string | null) => call('preferences.set', { timeZone }),
    onSuccess: (next) => client.setQueryData(qk.preferences(), next),
  });
  const own = systemTimeZone();
  return (
    <section className="panel" aria-labelledby="display-title">
      <h2 id="display-title">Dates and times</h2>
      <label className="field field-inline">
        <span>Time zone</span>
        <select
          value={prefs.data?.timeZone ?? ''}
          disabled={!prefs.data || save.isPending}
          onChange={(e) => save.mutate(e.target.value === '' ? null : e.target.value)}
        >
          <option value="">This computer’s time zone ({own})</option>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
      {save.isError ? <div className="form-error">{errorText(save.error)}</div> : null}
      <p className="muted small">Times are shown, typed and grouped into days in this zone; every time shown names it. Kept on this laptop only.</p>
    </section>
  );
}
