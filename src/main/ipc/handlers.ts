import type { CallOutput, ParsedInput, Preferences } from '../../shared/ipc.js';
import { DATA_TABLES, type DataTable } from '../../shared/rows.js';
import { clientIdOf, type AppDb } from '../db/open.js';
import { listCohorts, getBoard, championHistory } from '../db/queries/board.js';
import { getMember } from '../db/queries/member.js';
import { countPeople, exportPeopleCsv, listOrigins, searchPeople } from '../db/queries/people.js';
import { dailyCounts, timelinePage } from '../db/queries/timeline.js';
import { atRiskCsv, atRiskMembers } from '../insight/atRisk.js';
import { cohortInsight } from '../insight/cohortInsight.js';
import { cohortsOverview } from '../insight/cohortsOverview.js';
import { atRiskDays, setAtRiskDays } from '../insight/settings.js';
import { exportTimelineCsv } from '../db/queries/timelineCsv.js';
import type { SyncEngine } from '../sync/engine.js';
import { collectWrites } from '../sync/writtenTables.js';
import type { LocalMutations } from '../sync/localMutations.js';
import { listQuarantine } from '../sync/pullQuarantine.js';
import { discardPending, listPending } from '../sync/pending.js';
import type { Session } from '../sync/session.js';
import { leftScopeNotice } from '../sync/scopeEviction.js';
import { myScope } from '../db/queries/myScope.js';
import type { TokenStore } from '../sync/tokenStore.js';
import type { HandlerTable } from './dispatch.js';
import { IpcFailure } from './ipcFailure.js';
import { dismissNotice, listNotices } from '../localData/notices.js';
import { pendingCount } from '../sync/outbox.js';

// One handler per channel of the contract. Inputs arrive parsed (dispatch did it); each
// handler only routes to the module that does the work.

/** What the handlers run against; the core swaps it whole when local data is reset. */
export interface Runtime {
  app: AppDb;
  session: Session;
  mutations: LocalMutations;
  engine: SyncEngine;
}

export interface HandlerContext {
  runtime(): Runtime;
  dataDir: string;
  tokenStore: Pick<TokenStore, 'kind' | 'plainTextOptIn'>;
  /** After a local write: tell the renderer what changed and let the engine sync soon. */
  localChange(tables: DataTable[]): void;
  /** Close, delete the database files and the token, reopen empty; `notice` says why (AuthStatus.notice). */
  resetLocalData(notice?: string): Promise<void>;
  /** The coordinator's preferences file (the core's PreferencesStore). */
  preferences: { get(): Preferences; set(patch: Partial<Preferences>): Preferences };
  /** Members' photos as data URLs, fetched under the remote-content policy (the core's MemberPhotos). */
  photos: { get(url: string | null): Promise<string | null> };
}

const noCohort = (id: string): never => {
  throw new IpcFailure('not_found', `cohortId: there is no cohort "${id}" on this laptop`, 'cohortId');
};

export function buildHandlers(ctx: HandlerContext): HandlerTable {
  const rt = ctx.runtime;
  const settings = (): CallOutput<'settings.get'> => {
    const { app, session } = rt();
    return {
      serverUrl: session.serverUrl(),
      dataLocation: ctx.dataDir,
      clientId: clientIdOf(app),
      tokenStorage: ctx.tokenStore.kind,
      keepSignInOnDisk: ctx.tokenStore.plainTextOptIn?.enabled() ?? null,
    };
  };
  // The screens are told exactly the tables the write reported (sync/writtenTables.ts).
  const mutate = <T>(fn: () => T): T => {
    const { result, tables } = collectWrites(rt().app.sqlite, fn);
    ctx.localChange(tables);
    return result;
  };

  return {
    'people.search': (input) => searchPeople(rt().app, input),
    'people.count': (input) => countPeople(rt().app, input),
    'people.origins': () => listOrigins(rt().app),
    'people.exportCsv': (input) => exportPeopleCsv(rt().app, input),
    'member.get': (input) => {
      const member = getMember(rt().app, input);
      if (!member) throw new IpcFailure('not_found', `id: there is no member "${input.id}" on this laptop`, 'id');
      return member;
    },
    'timeline.page': (input) => timelinePage(rt().app, input),
    'timeline.dailyCounts': (input) => dailyCounts(rt().app, input),
    'timeline.exportCsv': (input) => exportTimelineCsv(rt().app, input),
    'member.photo': async (input) => {
      const row = rt().app.sqlite.prepare('SELECT profile_img FROM user WHERE id = ?').get(input.id) as { profile_img: string | null } | undefined;
      return { dataUrl: await ctx.photos.get(row?.profile_img ?? null) };
    },
    'cohorts.list': () => listCohorts(rt().app),
    'scope.mine': () => myScope(rt().app, rt().session.user()?.scope),
    'member.leftScope': (input) => {
      const notice = leftScopeNotice(rt().app.sqlite, input.id);
      // Back in scope (the row is here again): the old notice no longer holds.
      const here = rt().app.sqlite.prepare('SELECT 1 FROM "user" WHERE id = ?').get(input.id) !== undefined;
      // No name: a member who left the scope leaves no trace here but their id and when.
      return notice && !here ? { left: true, leftAt: notice.leftAt } : { left: false, leftAt: null };
    },
    'board.get': (input) => getBoard(rt().app, input),
    'champion.history': (input) => championHistory(rt().app, input),
    'cohorts.overview': (input) => {
      const { sqlite } = rt().app;
      return cohortsOverview(sqlite, { now: new Date(), atRiskDays: input.atRiskDays ?? atRiskDays(sqlite) });
    },
    'cohort.insight': (input) => cohortInsight(rt().app.sqlite, input.cohortId, { now: new Date() }) ?? noCohort(input.cohortId),
    'cohort.atRisk': (input) => {
      const { sqlite } = rt().app;
      return atRiskMembers(sqlite, input.cohortId, { now: new Date(), days: input.days ?? atRiskDays(sqlite) }) ?? noCohort(input.cohortId);
    },
    'cohort.atRiskCsv': (input) => {
      const { sqlite } = rt().app;
      return atRiskCsv(sqlite, input.cohortId, { now: new Date(), days: input.days ?? atRiskDays(sqlite) }) ?? noCohort(input.cohortId);
    },
    'insight.settings': () => ({ atRiskDays: atRiskDays(rt().app.sqlite) }),
    'insight.setAtRiskDays': (input) => ({ atRiskDays: setAtRiskDays(rt().app.sqlite, input.days) }),

    'champion.create': (input) => mutate(() => rt().mutations.createChampion(input)),
    'champion.move': (input) => mutate(() => rt().mutations.moveChampion(input)),
    'champion.setNotes': (input) => mutate(() => rt().mutations.setNotes(input)),
    'champion.setCohort': (input) => mutate(() => rt().mutations.setCohort(input)),
    'champion.remove': (input) => mutate(() => rt().mutations.removeChampion(input)),
    'action.record': (input) => mutate(() => rt().mutations.recordAction(input)),
    'conflicts.list': () => rt().mutations.listConflicts(),
    'conflicts.resolve': (input) => mutate(() => rt().mutations.resolveConflict(input)),

    'pending.list': () => ({ items: listPending(rt().app.sqlite) }),
    'pending.discard': (input) =>
      mutate(() => {
        const { app, session } = rt();
        return { discarded: discardPending(app.sqlite, input.id, { changedBy: session.user()?.id ?? 'unknown' }) };
      }),
    'quarantine.list': () => ({
      items: listQuarantine(rt().app.sqlite).map((q) => ({ id: q.id, table: q.table, rowId: q.rowId, reason: q.reason, receivedAt: q.receivedAt })),
    }),
    'sync.status': () => rt().engine.status(),
    'sync.now': () => rt().engine.syncNow(),
    'sync.fullResync': () => rt().engine.fullResync(),

    'auth.status': () => rt().session.authStatus(),
    'auth.signIn': async (input: ParsedInput<'auth.signIn'>): Promise<CallOutput<'auth.signIn'>> => {
      const { session, engine } = rt();
      const status = await engine.whileStopped(() => session.signIn(input.serverUrl, input.email, input.password));
      // Another server's database: local data started over (serverBinding.ts); every screen reloads.
      if (session.lastAdoption === 'switched') ctx.localChange([...DATA_TABLES]);
      // First sync right away: a fresh install has nothing to show until it pulls.
      void engine.syncNow();
      return status;
    },
    'auth.signOut': () => rt().session.signOut(),
    'auth.signOutAndRemoveData': async (input) => {
      const { session, engine, app } = rt();
      // Pending changes go to the server first, when it can be reached; what is left is lost with the data.
      if (session.authStatus().signedIn && pendingCount(app.sqlite) > 0) await engine.syncNow();
      const left = pendingCount(rt().app.sqlite);
      if (left > 0 && !input.discardPending) {
        throw new IpcFailure(
          'conflict',
          `${left} ${left === 1 ? 'change has' : 'changes have'} not reached the server. Removing this laptop’s data would lose ${left === 1 ? 'it' : 'them'}: confirm to remove ${left === 1 ? 'it' : 'them'} too.`,
          'discardPending',
        );
      }
      await rt().session.signOut();
      await ctx.resetLocalData();
      return rt().session.authStatus();
    },
    'notices.list': () => ({ notices: listNotices(rt().app.sqlite) }),
    'notices.dismiss': (input) => {
      if (!dismissNotice(rt().app.sqlite, input.id, new Date())) throw new IpcFailure('not_found', `id: there is no open notice ${input.id}`, 'id');
      return { ok: true as const };
    },
    'devices.list': () => rt().session.listSessions(),
    'devices.signOut': async (input) => {
      await rt().session.endSession(input.id);
      return rt().session.listSessions();
    },

    'settings.get': () => settings(),
    'settings.setKeepSignInOnDisk': (input) => {
      const optIn = ctx.tokenStore.plainTextOptIn;
      if (!optIn) {
        throw new IpcFailure('bad_request', 'keep: this computer encrypts the sign-in already, so there is nothing to choose', 'keep');
      }
      optIn.set(input.keep);
      return settings();
    },
    'preferences.get': () => ctx.preferences.get(),
    'preferences.set': (input) => ctx.preferences.set({ timeZone: input.timeZone }),
    'settings.resetLocalData': async () => {
      await ctx.resetLocalData();
      return { ok: true as const };
    },
  };
}
