import { describe, expect, it } from 'vitest';
import { ipcContract } from './ipc.js';

describe('IPC contract timestamps', () => {
  it('stores a typed occurredAt in the one millisecond form the server sends, so text order is time order', () => {
    const parsed = ipcContract['action.record'].input.parse({
      userId: 'usr_1',
      actionType: 'viewed_module',
      occurredAt: '2026-04-20T10:00:00Z',
    });
    expect(parsed.occurredAt).toBe('2026-04-20T10:00:00.000Z');
  });

  it('normalizes timeline date bounds the same way and still refuses a timestamp with an offset, naming the field', () => {
    const ok = ipcContract['timeline.page'].input.parse({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00.5Z' });
    expect([ok.from, ok.to]).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.500Z']);
    const bad = ipcContract['timeline.page'].input.safeParse({ from: '2026-01-01T00:00:00+02:00' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['from']);
  });
});
