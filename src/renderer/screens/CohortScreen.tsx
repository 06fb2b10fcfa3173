import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { dateLabel } from '../lib/dates.js';
import { useNavigation } from '../lib/navigation.js';
import { qk } from '../lib/queryKeys.js';
import { Icon } from '../components/Icon.js';
import { ErrorState, Loading } from '../components/States.js';
import { AtRiskPanel } from '../insight/AtRiskPanel.js';
import { Funnel } from '../insight/Funnel.js';
import { MembersTable } from '../insight/MembersTable.js';
import { ModuleProgress } from '../insight/ModuleProgress.js';
import { SuggestionsPanel } from '../insight/SuggestionsPanel.js';
import { WeeklyActivity } from '../insight/WeeklyActivity.js';
import { DEFINITIONS, STATUS_LABEL } from '../insight/words.js';
import '../insight/insight.css';

/** One cohort: how it is doing, who has gone quiet, who could be its next champion. */
export function CohortScreen({ id }: { id: string }) {
  const { back, go } = useNavigation();
  const insight = useQuery({ queryKey: qk.cohortInsight(id), queryFn: () => call('cohort.insight', { cohortId: id }) });

  if (insight.isPending) return <Loading label="Working out this cohort’s figures…" />;
  if (insight.isError) {
    return (
      <div className="screen">
        <button type="button" className="btn btn-ghost back" onClick={back}>
          <Icon name="back" /> Back
        </button>
        <ErrorState error={insight.error} onRetry={() => void insight.refetch()} />
      </div>
    );
  }
  const d = insight.data;
  const enrolled = d.funnel[0]?.count ?? 0;
  const maxModule = d.modules.length > 0 ? d.modules[d.modules.length - 1]!.module : 0;

  return (
    <div className="screen screen-cohort">
      <button type="button" className="btn btn-ghost back" onClick={back}>
        <Icon name="back" /> Back
      </button>
      <header className="screen-header">
        <div>
          <h1>{d.cohort.name}</h1>
          <p className="muted">
            <span className={`badge cohort-${d.cohort.status}`}>{STATUS_LABEL[d.cohort.status]}</span>
            {d.cohort.starts_at ? `${dateLabel(d.cohort.starts_at)}${d.cohort.ends_at ? ` – ${dateLabel(d.cohort.ends_at)}` : ''}` : 'No dates set'}
            {' · '}
            {enrolled.toLocaleString()} enrolled{d.withdrawn > 0 ? `, ${d.withdrawn.toLocaleString()} withdrew` : ''}
            {insight.isFetching ? <span className="spinner spinner-inline" aria-label="Updating" /> : null}
          </p>
        </div>
        <button type="button" className="btn" onClick={() => go({ screen: 'champions', cohortId: id })}>
          Champion pipeline
        </button>
      </header>
      {!d.ready ? (
        <p className="notice" role="status">
          The first sync is still bringing this laptop’s data: these figures are incomplete until it finishes.
        </p>
      ) : null}
      <p className="definition muted small">{DEFINITIONS.linked}</p>

      <div className="insight-grid">
        <section className="panel" aria-labelledby="funnel-title">
          <h2 id="funnel-title">Funnel</h2>
          <p className="definition muted small">{DEFINITIONS.funnel}</p>
          <Funnel steps={d.funnel} />
        </section>
        <section className="panel" aria-labelledby="modules-title">
          <h2 id="modules-title">Module progression</h2>
          <p className="definition muted small">{DEFINITIONS.modules}</p>
          <ModuleProgress modules={d.modules} enrolled={enrolled} unnumbered={d.unnumberedModuleActions} />
        </section>
      </div>

      <section className="panel" aria-labelledby="weekly-title">
        <h2 id="weekly-title">Weekly activity</h2>
        <p className="definition muted small">{DEFINITIONS.weeks}</p>
        <WeeklyActivity weeks={d.weeks} />
      </section>

      <div className="insight-grid">
        <AtRiskPanel cohortId={id} />
        <SuggestionsPanel cohortId={id} suggestions={d.suggestions} inPipeline={d.inPipeline} />
      </div>

      <section className="panel" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <p className="definition muted small">{DEFINITIONS.members}</p>
        <MembersTable members={d.members} modules={maxModule} />
      </section>
    </div>
  );
}
