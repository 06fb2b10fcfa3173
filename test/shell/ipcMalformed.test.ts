import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../src/shared/ipc.js';
import { createCore } from '../../src/main/core/createCore.js';
import type { Core } from '../../src/main/core/coreApi.js';
import { memoryTokenStore } from '../../src/main/sync/tokenStore.js';
import { SEED, seedLocal, snapshotDb } from './seedLocal.js';

// Every channel of the contract, given bad input through the real core over a real SQLite
// file: refused with a bad_request naming the field, and the database is exactly as before.

/** One malformed payload per channel, and the field the error must name. Typed by Channel so a new channel needs a case here. */
const MALFORMED: Record<Channel, { input: unknown; field: string }> = {
  'people.search': { input: { query: 42 }, field: 'query' },
  'people.count': { input: { roles: ['wizard'] }, field: 'roles[0]' },
  'people.origins': { input: { sort: 'name' }, field: 'sort' },
  'people.exportCsv': { input: { origins: 'uk' }, field: 'origins' },
  'member.get': { input: { id: 'usr 1; DROP TABLE user' }, field: 'id' },
  'timeline.page': { input: { after: { occurredAt: 'yesterday', id: 'act_1' } }, field: 'after.occurredAt' },
  'timeline.dailyCounts': { input: { from: '2026-13-01' }, field: 'from' },
  'timeline.exportCsv': { input: { timeZone: 'Mars/Olympus_Mons' }, field: 'timeZone' },
  'member.photo': { input: { id: '' }, field: 'id' },
  'cohorts.list': { input: { all: true }, field: 'all' },
  'scope.mine': { input: { all: true }, field: 'all' },
  'member.leftScope': { input: { id: 'usr 1; DROP TABLE user' }, field: 'id' },
  'board.get': { input: {}, field: 'cohortId' },
  'champion.history': { input: { id: '' }, field: 'id' },
  'champion.create': { input: { userId: 'usr_2_jose', cohortId: null, notes: 'x'.repeat(20_001) }, field: 'notes' },
  'champion.move': { input: { id: SEED.championId, to: 'legend' }, field: 'to' },
  'champion.setNotes': { input: { id: SEED.championId }, field: 'notes' },
  'champion.setCohort': { input: { id: SEED.championId, cohortId: 5 }, field: 'cohortId' },
  'champion.remove': { input: { id: SEED.championId, force: true }, field: 'force' },
  'action.record': {
    input: { userId: 'usr_1_maya', actionType: 'enrolled', occurredAt: '2026-04-02T10:00:00Z', metadata: [1, 2] },
    field: 'metadata',
  },
  'cohorts.overview': { input: { atRiskDays: 0 }, field: 'atRiskDays' },
  'cohort.insight': { input: { cohortId: 'coh 1' }, field: 'cohortId' },
  'cohort.atRisk': { input: { cohortId: 'coh_1', days: 2.5 }, field: 'days' },
  'cohort.atRiskCsv': { input: { cohortId: 'coh_1', days: 366 }, field: 'days' },
  'insight.settings': { input: { atRiskDays: 3 }, field: 'atRiskDays' },
  'insight.setAtRiskDays': { input: { days: '14' }, field: 'days' },
  'conflicts.list': { input: { open: true }, field: 'open' },
  'conflicts.resolve': { input: { id: 1, resolution: 'merge' }, field: 'resolution' },
  'quarantine.list': { input: { all: true }, field: 'all' },
  'pending.list': { input: { all: true }, field: 'all' },
  'pending.discard': { input: { id: 'x' }, field: 'id' },
  'sync.status': { input: { verbose: 1 }, field: 'verbose' },
  'sync.now': { input: { force: true }, field: 'force' },
  'sync.fullResync': { input: { really: 'yes' }, field: 'really' },
  'auth.status': { input: { token: 'x' }, field: 'token' },
  'auth.signIn': { input: { serverUrl: 'ftp://example.org', email: 'a@b.c', password: 'pw' }, field: 'serverUrl' },
  'auth.signOut': { input: { everywhere: true }, field: 'everywhere' },
  'settings.get': { input: { key: 'serverUrl' }, field: 'key' },
  'preferences.get': { input: { all: true }, field: 'all' },
  'preferences.set': { input: { timeZone: 'Nowhere/Town' }, field: 'timeZone' },
  'settings.resetLocalData': { input: { confirm: false }, field: 'confirm' },
  'settings.setKeepSignInOnDisk': { input: { keep: 'yes' }, field: 'keep' },
  'auth.signOutAndRemoveData': { input: { discardPending: 'yes' }, field: 'discardPending' },
  'notices.list': { input: { all: true }, field: 'all' },
  'notices.dismiss': { input: { id: -1 }, field: 'id' },
  'devices.list': { input: { everyone: true }, field: 'everyone' },
  'devices.signOut': { input: { id: 'not-a-uuid' }, field: 'id' },
};

let dir: string;
let file: string;
let core: Core;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'afh-ipc-'));
  file = seedLocal(dir);
  core = await createCore({ dataDir: dir, tokenStore: memoryTokenStore(), autoStart: false, logError: () => undefined });
});

afterAll(async () => {
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('every channel refuses malformed input with a field-naming error and changes nothing', () => {
  it('has a malformed case for every channel of the contract', () => {
    expect(Object.keys(MALFORMED).sort()).toEqual([...CHANNELS].sort());
  });

  for (const channel of CHANNELS) {
    it(`${channel}: a payload with a bad field is refused naming that field, and the database is unchanged`, async () => {
      const before = snapshotDb(file);
      const { input, field } = MALFORMED[channel];
      const result = await core.dispatch(channel, input);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('bad_request');
      expect(result.error.field).toBe(field);
      expect(result.error.message).toContain(field);
      expect(result.error.message).not.toMatch(/\n\s+at |SQLITE|SELECT|INSERT/);
      expect(snapshotDb(file)).toEqual(before);
    });

    it(`${channel}: a payload that is not an object is refused naming the input, and the database is unchanged`, async () => {
      const before = snapshotDb(file);
      for (const input of ['people', 7, null, [1]]) {
        const result = await core.dispatch(channel, input);
        expect(result).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'input' } });
      }
      expect(snapshotDb(file)).toEqual(before);
    });
  }
});

describe('the dispatcher at the boundary', () => {
  it('refuses unknown channels, including names inherited by every object, and changes nothing', async () => {
    const before = snapshotDb(file);
    for (const channel of ['people.delete', '__proto__', 'constructor', 'toString', '', 42, null]) {
      const result = await core.dispatch(channel, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'channel' } });
    }
    expect(snapshotDb(file)).toEqual(before);
  });

  it('a valid mutation does change the database (so the checks above can fail)', async () => {
    const before = snapshotDb(file);
    const result = await core.dispatch('champion.create', { userId: 'usr_2_jose', cohortId: null, notes: 'met at the fair' });
    expect(result.ok).toBe(true);
    const after = snapshotDb(file);
    expect(after.outbox).toBe((before.outbox as number) + 1);
    expect(after.champion).toBe((before.champion as number) + 1);
  });

  it('a well-formed call the data refuses answers the mutation layer’s typed error, without a stack trace', async () => {
    const before = snapshotDb(file);
    const result = await core.dispatch('champion.move', { id: 'ch_does_not_exist', to: 'selected' });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
    if (!result.ok) expect(result.error.message).not.toMatch(/\n\s+at /);
    expect(snapshotDb(file)).toEqual(before);
  });

  it('member.get for an id that is not on this laptop answers not_found naming id', async () => {
    const result = await core.dispatch('member.get', { id: 'usr_404' });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found', field: 'id' } });
  });

  it('a valid query answers data that matches the contract', async () => {
    const result = await core.dispatch('people.search', { query: 'jose' });
    expect(result.ok).toBe(true);
    if (result.ok && 'items' in result.data) {
      expect(result.data.items.map((m) => m.id)).toEqual(['usr_2_jose']);
    }
  });
});
