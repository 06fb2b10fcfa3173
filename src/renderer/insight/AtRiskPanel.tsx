import { useState, type FormEvent } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AT_RISK_DAYS_MAX, AT_RISK_DAYS_MIN } from '../../shared/insight.js';
import { call, errorText } from '../lib/api.js';
import { dateLabel } from '../lib/dates.js';
import { downloadText } from '../lib/downloadText.js';
import { useNavigation } from '../lib/navigation.js';
import { qk } from '../lib/queryKeys.js';
import { Icon } from '../components/Icon.js';
import { ErrorState, Loading } from '../components/States.js';
import { DEFINITIONS } from './words.js';

const SHOWN = 25;

/** Who has gone quiet in this cohort: the list, the number of days (a setting), and a CSV to work from. */
export function AtRiskPanel({ cohortId }: { cohortId: string }) {
  const { go } = useNavigation();
  const client = useQueryClient();
  const settings = useQuery({ queryKey: qk.insightSettings(), queryFn: () => call('insight.settings', {}) });
  const days = settings.data?.atRiskDays;
  const list = useQuery({
    queryKey: qk.cohortAtRisk(cohortId, days ?? 0),
    queryFn: () => call('cohort.atRisk', { cohortId, days }),
    enabled: days !== undefined,
    placeholderData: keepPreviousData,
  });
  const [draft, setDraft] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (n: number) => call('insight.setAtRiskDays', { days: n }),
    onSuccess: (r) => {
      client.setQueryData(qk.insightSettings(), r);
      setDraft(null);
      void client.invalidateQueries({ queryKey: qk.cohortsOverview() });
    },
  });
  const exportCsv = useMutation({
    mutationFn: () => call('cohort.atRiskCsv', { cohortId, days }),
    onSuccess: ({ csv, filename }) => downloadText(csv, filename),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(draft);
    if (draft === null) return;
    if (!Number.isInteger(n) || n < AT_RISK_DAYS_MIN || n > AT_RISK_DAYS_MAX) {
      setFormError(`Enter a whole number of days from ${AT_RISK_DAYS_MIN} to ${AT_RISK_DAYS_MAX}.`);
      return;
    }
    setFormError(null);
    save.mutate(n);
  };

  const members = list.data?.members ?? [];
  return (
    <section className="panel" aria-labelledby="at-risk-title" data-testid="at-risk">
      <div className="panel-head">
        <h2 id="at-risk-title">At risk {list.data ? <span className="count-pill">{members.length.toLocaleString()}</span> : null}</h2>
        <button type="button" className="btn btn-small" onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending || members.length === 0}>
          <Icon name="download" size={16} /> {exportCsv.isPending ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      <p className="definition muted small">{DEFINITIONS.atRisk(days ?? 14)}</p>
      <form className="inline-form days-form" onSubmit={submit} aria-label="At-risk setting">
        <label className="field">
          <span>Days without an action</span>
          <input
            type="number"
            inputMode="numeric"
            min={AT_RISK_DAYS_MIN}
            max={AT_RISK_DAYS_MAX}
            value={draft ?? (days === undefined ? '' : String(days))}
            onChange={(e) => setDraft(e.target.value)}
            aria-invalid={formError ? true : undefined}
            aria-describedby={formError ? 'days-error' : undefined}
          />
        </label>
        <button type="submit" className="btn btn-small" disabled={draft === null || save.isPending}>
          Apply
        </button>
      </form>
      {formError || save.isError ? (
        <div className="form-error" role="alert" id="days-error">
          {formError ?? errorText(save.error)}
        </div>
      ) : null}
      {exportCsv.isError ? (
        <div className="form-error" role="alert">
          {errorText(exportCsv.error)}
        </div>
      ) : null}
      {settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : list.isPending || settings.isPending ? (
        <Loading label="Finding who has gone quiet…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : members.length === 0 ? (
        <p className="muted">No one is at risk: every active member has acted in the last {days} days, or has completed the course.</p>
      ) : (
        <>
          <ul className="risk-list">
            {(showAll ? members : members.slice(0, SHOWN)).map((m) => (
              <li key={m.enrollmentId}>
                <button type="button" className="link" onClick={() => go({ screen: 'member', id: m.userId })}>
                  {m.name ?? m.userId}
                </button>
                <span className="muted small">
                  {m.lastActiveAt ? `last action ${dateLabel(m.lastActiveAt)}` : 'no action yet'} · {m.quietDays} days quiet
                </span>
              </li>
            ))}
          </ul>
          {members.length > SHOWN && !showAll ? (
            <button type="button" className="btn btn-small" onClick={() => setShowAll(true)}>
              Show all {members.length.toLocaleString()}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
