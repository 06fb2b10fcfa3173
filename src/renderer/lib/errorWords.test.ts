import { describe, expect, it } from 'vitest';
import { describeIpcError } from './errorWords.js';

// Nothing a person can type shows a validation library's words or a field key.

const RAW = /Too big|Too small|expected|Invalid|occurredAt|userId|serverUrl|email:|query|ch_\d/;

describe('plain words for failed calls', () => {
  it('turns the core’s keyed messages into plain words about the field, and keeps the field for the form', () => {
    const cases = [
      { code: 'bad_request', field: 'query', message: 'query: Too big: expected string to have <=200 characters' },
      { code: 'bad_request', field: 'email', message: 'email: is required' },
      { code: 'bad_request', field: 'serverUrl', message: 'serverUrl: must be an http:// or https:// URL' },
      { code: 'conflict', field: 'userId', message: 'userId: this member already has a global champion row (ch_0177_raul)' },
      { code: 'bad_request', field: 'occurredAt', message: 'occurredAt: must be on or after 2000-01-01' },
      { code: 'bad_request', field: 'to', message: 'to: a champion at stage "candidate" can move only one step, not to "champion"' },
      { code: 'bad_request', field: 'after.occurredAt', message: 'after.occurredAt: Invalid ISO datetime' },
      { code: 'bad_request', field: 'somethingNew', message: 'somethingNew: Too small: expected string to have >=1 characters' },
    ] as const;
    for (const c of cases) {
      const p = describeIpcError(c);
      expect(p.text, c.message).not.toMatch(RAW);
      expect(p.field).toBe(c.field.split('.')[0]);
    }
    expect(describeIpcError(cases[4]).text).toBe('Choose a date and time from 1 January 2000 up to now.');
    expect(describeIpcError(cases[3]).text).toBe('This member is already in this pipeline.');
  });

  it('passes plain messages through untouched', () => {
    expect(describeIpcError({ code: 'unauthorized', field: 'password', message: 'Wrong email or password.' })).toEqual({
      field: 'password',
      text: 'Wrong email or password.',
    });
    expect(describeIpcError({ code: 'unavailable', message: 'The app on this computer cannot be reached.' }).field).toBeNull();
  });
});
