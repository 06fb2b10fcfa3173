// Child process: cohort insight latencies on a synced client database (issue 16): the Cohorts
// screen's query, a cohort's whole page (its figures and its at-risk list, as the screen asks
// for them), and the at-risk list alone, for every cohort. "Now" is the demo set's own present
// (DEMO_ANCHOR), so the 7-day, 14-day and 60-day windows hold the data's recent activity.
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/main/db/open.js';
import { atRiskMembers } from '../src/main/insight/atRisk.js';
import { cohortInsight } from '../src/main/insight/cohortInsight.js';
import { cohortsOverview } from '../src/main/insight/cohortsOverview.js';
import { rebuildInsight } from '../src/main/insight/derivedTables.js';
import { AT_RISK_DAYS_DEFAULT } from '../src/shared/insight.js';
import { DEMO_ANCHOR } from '../src/server/demo/generateDemo.js';
import { summarize } from './stats.js';

const [dbFile] = process.argv.slice(2);
if (!dbFile) throw new Error('usage: insight.ts <db file>');
const app = openDatabase(dbFile);
const now = new Date(DEMO_ANCHOR);
const days = AT_RISK_DAYS_DEFAULT;

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const cohorts = (app.sqlite.prepare('SELECT id FROM cohort ORDER BY id').all() as { id: string }[]).map((r) => r.id);
// Warm the statement and page caches once, as a running app would be.
cohortsOverview(app.sqlite, { now, atRiskDays: days });
for (const id of cohorts.slice(0, 5)) cohortInsight(app.sqlite, id, { now });

const overview: number[] = [];
for (let i = 0; i < 40; i++) overview.push(time(() => cohortsOverview(app.sqlite, { now, atRiskDays: days })));
const page: number[] = [];
const atRisk: number[] = [];
let members = 0;
for (const id of cohorts) {
  page.push(
    time(() => {
      members += cohortInsight(app.sqlite, id, { now })?.members.length ?? 0;
      atRiskMembers(app.sqlite, id, { now, days });
    }),
  );
}
for (const id of cohorts) atRisk.push(time(() => atRiskMembers(app.sqlite, id, { now, days })));
const enrollments = (app.sqlite.prepare('SELECT count(*) AS n FROM enrollment').get() as { n: number }).n;
// What a first sync pays at its end for these tables, measured alone: the side-by-side syncs vary
// by more than this on a shared machine. (The same statements; here they also clear the rows first.)
const rebuildMs = time(() => rebuildInsight(app.sqlite));
app.close();
process.stdout.write(
  JSON.stringify({
    cohorts: cohorts.length,
    enrollments,
    meanMembersPerCohort: Math.round(members / Math.max(1, cohorts.length)),
    overview: summarize(overview),
    page: summarize(page),
    atRisk: summarize(atRisk),
    pageMax: Math.max(...page),
    atRiskMax: Math.max(...atRisk),
    rebuildMs,
  }) + '\n',
);
