import { describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../shared/ipc.js';
import { createDispatcher, type HandlerTable } from './dispatch.js';
import { QueryInputError } from '../db/queries/queryInputError.js';
import { mapCoreError } from './errorMapping.js';
import { IpcFailure } from './ipcFailure.js';

// The dispatcher's own rules, with handlers that misbehave on purpose (the real handlers
// are exercised through the core in test/shell).

function table(handler: (channel: Channel) => unknown): HandlerTable {
  return Object.fromEntries(CHANNELS.map((c) => [c, () => handler(c)])) as unknown as HandlerTable;
}

describe('createDispatcher', () => {
  it('turns a thrown bug into a generic internal error: no message, stack or SQL reaches the caller', async () => {
    const logged: unknown[] = [];
    const dispatch = createDispatcher(
      table(() => {
        throw new Error('SQLITE_ERROR: no such column: secret_column in SELECT * FROM user');
      }),
      { logError: (_c, err) => logged.push(err) },
    );
    const result = await dispatch('people.origins', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('internal');
    expect(result.error.message).not.toMatch(/SQLITE|SELECT|secret_column|at /);
    expect(logged).toHaveLength(1);
  });

  it('passes an IpcFailure through with its code, message and field', async () => {
    const dispatch = createDispatcher(
      table(() => {
        throw new IpcFailure('conflict', 'id: that champion moved meanwhile', 'id');
      }),
    );
    expect(await dispatch('champion.history', { id: 'ch_1' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'id: that champion moved meanwhile', field: 'id' },
    });
  });

  it('a query refusing its input reaches the renderer as bad_request naming the field (mapped at the edge, not thrown as an IPC type)', async () => {
    const dispatch = createDispatcher(
      table(() => {
        throw new QueryInputError('after', 'after: is not a cursor from this search; start again from the first page');
      }),
      { mapError: mapCoreError, logError: () => undefined },
    );
    expect(await dispatch('people.search', { query: 'ana' })).toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'after: is not a cursor from this search; start again from the first page', field: 'after' },
    });
  });

  it('uses mapError for errors the core knows, and only those', async () => {
    class Known extends Error {}
    const dispatch = createDispatcher(
      table((c) => {
        throw c === 'people.origins' ? new Known('x') : new Error('y');
      }),
      { mapError: (e) => (e instanceof Known ? { code: 'unavailable', message: 'server unreachable' } : null), logError: () => undefined },
    );
    expect(await dispatch('people.origins', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await dispatch('cohorts.list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('with output validation on, a handler answering outside the contract is an internal error', async () => {
    const dispatch = createDispatcher(
      table(() => ({ origins: [1, 2] })),
      { validateOutput: true, logError: () => undefined },
    );
    expect(await dispatch('people.origins', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('hands the handler the parsed input with defaults filled in', async () => {
    let seen: unknown;
    const dispatch = createDispatcher(
      Object.assign(
        table(() => ({ items: [], nextCursor: null })),
        {
          'people.search': (input: unknown) => {
            seen = input;
            return { items: [], nextCursor: null };
          },
        },
      ),
      { validateOutput: true },
    );
    expect(await dispatch('people.search', { query: 'ma' })).toEqual({ ok: true, data: { items: [], nextCursor: null } });
    expect(seen).toEqual({ query: 'ma', roles: [], origins: [], sort: 'name', limit: 100, after: null });
  });

  it('names an unknown key in a strict object as the field', async () => {
    const dispatch = createDispatcher(table(() => ({ ok: true })));
    expect(await dispatch('settings.resetLocalData', { confirm: true, also: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', field: 'also' },
    });
  });
});
