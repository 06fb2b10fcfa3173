// Child process: read latencies on a synced client database — member search over a fixed
// prefix list, and timeline pages for the busiest member and across everyone, with and
// without filters, following cursors several pages deep.
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/main/db/open.js';
import { searchPeople } from '../src/main/db/queries/people.js';
import { timelinePage } from '../src/main/db/queries/timeline.js';
import type { ParsedInput } from '../src/shared/ipc.js';
import { SEARCH_PREFIXES } from './prefixes.js';
import { summarize } from './stats.js';

const [dbFile] = process.argv.slice(2);
if (!dbFile) throw new Error('usage: queries.ts <db file>');
const app = openDatabase(dbFile);

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

// Warm the statement cache and the page cache once, as a running app would be.
for (const q of SEARCH_PREFIXES) searchPeople(app, { query: q, roles: [], origins: [], limit: 100, after: null });
const search: number[] = [];
const searchFiltered: number[] = [];
for (let rep = 0; rep < 5; rep++) {
  for (const q of SEARCH_PREFIXES) {
    search.push(time(() => searchPeople(app, { query: q, roles: [], origins: [], limit: 100, after: null })));
    searchFiltered.push(time(() => searchPeople(app, { query: q, roles: ['student'], origins: [], limit: 100, after: null })));
  }
}

const busiest = app.sqlite.prepare('SELECT user_id AS id, count(*) AS n FROM user_action GROUP BY user_id ORDER BY n DESC LIMIT 1').get() as {
  id: string;
  n: number;
};
const totalActions = (app.sqlite.prepare('SELECT count(*) AS n FROM user_action').get() as { n: number }).n;

type TimelineInput = ParsedInput<'timeline.page'>;
const base: TimelineInput = {
  userId: null,
  actionTypes: [],
  targetTypes: [],
  sourceSystems: [],
  from: null,
  to: null,
  limit: 50,
  after: null,
};

function pages(input: TimelineInput, depth: number): number[] {
  const out: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    let after: TimelineInput['after'] = null;
    for (let i = 0; i < depth; i++) {
      let next: ReturnType<typeof timelinePage>['nextCursor'] = null;
      out.push(time(() => (next = timelinePage(app, { ...input, after }).nextCursor)));
      if (!next) break;
      after = next;
    }
  }
  return out;
}

/** People list pages in an order other than by name, following cursors `depth` pages deep. */
function peoplePages(input: { query?: string; roles?: ('student' | 'teacher')[]; sort: 'last_active' | 'joined' }, depth: number): number[] {
  const out: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    let after: string | null = null;
    for (let i = 0; i < depth; i++) {
      let next: string | null = null;
      out.push(
        time(
          () =>
            (next = searchPeople(app, {
              query: input.query ?? '',
              roles: input.roles ?? [],
              origins: [],
              sort: input.sort,
              limit: 100,
              after,
            }).nextCursor),
        ),
      );
      if (!next) break;
      after = next;
    }
  }
  return out;
}
const peopleSearchSorted: number[] = [];
for (const q of SEARCH_PREFIXES) peopleSearchSorted.push(...peoplePages({ query: q, sort: 'last_active' }, 1));

const filters = {
  actionTypes: ['completed_module', 'answered_question'] as TimelineInput['actionTypes'],
  from: '2026-01-01T00:00:00Z',
  to: '2026-10-01T00:00:00Z',
};
const result = {
  members: (app.sqlite.prepare('SELECT count(*) AS n FROM user').get() as { n: number }).n,
  search: summarize(search),
  searchRoleFilter: summarize(searchFiltered),
  busiestMember: { id: busiest.id, actions: busiest.n },
  totalActions,
  timelineMember: summarize(pages({ ...base, userId: busiest.id }, 40)),
  timelineMemberFiltered: summarize(pages({ ...base, userId: busiest.id, ...filters }, 40)),
  timelineAll: summarize(pages(base, 40)),
  timelineAllFiltered: summarize(pages({ ...base, ...filters }, 40)),
  timelineAllSourceFiltered: summarize(pages({ ...base, sourceSystems: ['manual'] }, 10)),
  peopleLastActive: summarize(peoplePages({ sort: 'last_active' }, 20)),
  peopleLastActiveRole: summarize(peoplePages({ sort: 'last_active', roles: ['teacher'] }, 5)),
  peopleLastActiveSearch: summarize(peopleSearchSorted),
  peopleJoined: summarize(peoplePages({ sort: 'joined' }, 20)),
};
app.close();
process.stdout.write(JSON.stringify(result) + '\n');
