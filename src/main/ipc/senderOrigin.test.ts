import { describe, expect, it } from 'vitest';
import { appOrigin, isAppUrl, isTrustedFrame } from './senderOrigin.js';

describe('the Electron IPC sender check', () => {
  const built = appOrigin(undefined);
  const dev = appOrigin('http://localhost:5173/');

  it('trusts the app’s own top-level page, in a build and under the dev server', () => {
    expect(isTrustedFrame({ url: 'app://renderer/index.html#/people', parent: null }, built)).toBe(true);
    expect(isTrustedFrame({ url: 'http://localhost:5173/', parent: null }, dev)).toBe(true);
  });

  it('refuses an iframe, even one showing the app’s own page', () => {
    expect(isTrustedFrame({ url: 'app://renderer/index.html', parent: {} }, built)).toBe(false);
  });

  it('refuses other sites, other schemes, look-alike hosts and missing frames', () => {
    for (const url of [
      'https://example.org/',
      'file:///etc/passwd',
      'app://renderer.evil/index.html',
      'app://other/',
      'http://localhost:5174/',
      'not a url',
    ]) {
      expect(isTrustedFrame({ url, parent: null }, url.startsWith('http://localhost') ? dev : built), url).toBe(false);
    }
    expect(isTrustedFrame(null, built)).toBe(false);
    expect(isTrustedFrame(undefined, built)).toBe(false);
  });

  it('navigation stays inside the app: only app URLs count as the app', () => {
    expect(isAppUrl('app://renderer/assets/index.js', built)).toBe(true);
    expect(isAppUrl('https://renderer/', built)).toBe(false);
  });
});
