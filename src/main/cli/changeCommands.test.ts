import { describe, expect, it } from 'vitest';
import { changeInput, FlagError } from './changeCommands.js';

// Issue 11, finding 10, at the CLI's edge: a value the contract cannot store is refused naming
// the flag the person typed, before anything is queued.
describe('CLI change flags carry the storable-value rule', () => {
  const now = new Date('2026-04-20T10:00:00Z');
  const refused = (command: string, flags: Record<string, string>) => {
    try {
      changeInput(command, flags, now);
      return null;
    } catch (e) {
      expect(e).toBeInstanceOf(FlagError);
      return (e as Error).message;
    }
  };

  it('refuses a NUL in notes or reason, metadata with a NUL or nested too deep, and the year 0000, naming the flag', () => {
    expect(refused('champion notes', { id: 'ch_1', notes: 'a\u0000b' })).toMatch(/^--notes: must be plain text/);
    expect(refused('champion move', { id: 'ch_1', to: 'selected', reason: 'x\u0000' })).toMatch(/^--reason:/);
    expect(refused('action record', { member: 'usr_1', type: 'enrolled', at: '0000-01-01T00:00:00Z' })).toMatch(/^--at:/);
    expect(refused('action record', { member: 'usr_1', type: 'enrolled', metadata: '{"s":"\\u0000"}' })).toMatch(/^--metadata:/);
    let deep = '{}';
    for (let i = 0; i < 40; i++) deep = `{"a":${deep}}`;
    expect(refused('action record', { member: 'usr_1', type: 'enrolled', metadata: deep })).toMatch(/^--metadata: must not be nested more than 16/);
    expect(refused('champion notes', { id: 'ch_1', notes: 'fine 😀' })).toBeNull();
  });
});
