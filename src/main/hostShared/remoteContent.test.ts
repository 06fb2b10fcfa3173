import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../server/demo/generateDemo.js';
import { contentSecurityPolicy } from './csp.js';
import {
  DEFAULT_REMOTE_CONTENT,
  describeForLog,
  isAllowedImage,
  isAllowedLink,
  parseOrigin,
  RemoteContentConfigError,
  remoteContentFromEnv,
} from './remoteContent.js';

// Issue 14 item 7: photos only from the avatar host(s), links out only to a short list.

const imgSrc = (csp: string): string => csp.split('; ').find((d) => d.startsWith('img-src ')) ?? '';

describe('the content policy both hosts send', () => {
  it('allows images from the app itself, data: URIs and the avatar origins, and from no other https host', () => {
    const csp = contentSecurityPolicy({ imageOrigins: ['https://avatars.example.org', 'https://cdn.example.net:8443'] });
    expect(imgSrc(csp)).toBe("img-src 'self' data: https://avatars.example.org https://cdn.example.net:8443");
    expect(csp).not.toMatch(/(^|\s)https:(\s|;|$)/);
  });

  it('keeps scripts, plugins, framing and form posts locked, and adds a report address only when asked', () => {
    const csp = contentSecurityPolicy({ imageOrigins: [] });
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('report-uri');
    expect(contentSecurityPolicy({ imageOrigins: [], reportUri: '/__afh/csp-report' })).toMatch(/; report-uri \/__afh\/csp-report$/);
  });
});

describe('where the avatar and link origins come from', () => {
  it('the default avatar origin covers every photo the demo data points at', () => {
    const photos: string[] = [];
    for (const batch of generateDemo('small')) {
      if (batch.table !== 'user') {
        if (photos.length > 0) break; // users come in one run, before their actions
        continue;
      }
      for (const u of batch.rows) if (u.profile_img) photos.push(u.profile_img);
    }
    expect(photos.length).toBeGreaterThan(100);
    expect(photos.filter((p) => !isAllowedImage(p, DEFAULT_REMOTE_CONTENT))).toEqual([]);
  });

  it('AFH_AVATAR_ORIGINS and AFH_LINK_ORIGINS replace the defaults, as origins', () => {
    const policy = remoteContentFromEnv({ AFH_AVATAR_ORIGINS: 'https://img.example.com, https://img2.example.com/', AFH_LINK_ORIGINS: '' });
    expect(policy.imageOrigins).toEqual(['https://img.example.com', 'https://img2.example.com']);
    expect(policy.linkOrigins).toEqual(DEFAULT_REMOTE_CONTENT.linkOrigins);
  });

  it('refuses a value that would widen the list unexpectedly, naming the variable', () => {
    for (const bad of [
      'http://img.example.com',
      'https://*.example.com',
      'https://img.example.com/photos',
      'img.example.com',
      'https:',
      'ftp://x.org',
    ]) {
      expect(() => remoteContentFromEnv({ AFH_AVATAR_ORIGINS: bad }), bad).toThrow(RemoteContentConfigError);
      expect(() => remoteContentFromEnv({ AFH_AVATAR_ORIGINS: bad }), bad).toThrow(/^AFH_AVATAR_ORIGINS: /);
    }
  });

  it('accepts http:// only on loopback (a local server while developing or testing)', () => {
    expect(parseOrigin('http://127.0.0.1:8080', 'X')).toBe('http://127.0.0.1:8080');
    expect(parseOrigin('http://localhost:5173', 'X')).toBe('http://localhost:5173');
    expect(() => parseOrigin('http://192.168.1.2', 'X')).toThrow(/X: .*https/);
  });
});

describe('which images and links pass', () => {
  const policy = { imageOrigins: ['https://avatars.example.org'], linkOrigins: ['https://www.actionforhappiness.org'] };

  it('an image passes only from an avatar origin, port and scheme included', () => {
    expect(isAllowedImage('https://avatars.example.org/usr_1.jpg', policy)).toBe(true);
    expect(isAllowedImage('https://avatars.example.org:444/usr_1.jpg', policy)).toBe(false);
    expect(isAllowedImage('http://avatars.example.org/usr_1.jpg', policy)).toBe(false);
    expect(isAllowedImage('https://avatars.example.org.evil.test/usr_1.jpg', policy)).toBe(false);
    expect(isAllowedImage('not a url', policy)).toBe(false);
  });

  it('a link opens outside only to an allowed https origin or a plain mailto: address', () => {
    expect(isAllowedLink('https://www.actionforhappiness.org/about', policy)).toBe(true);
    expect(isAllowedLink('mailto:maya@example.org', policy)).toBe(true);
    expect(isAllowedLink('mailto:maya@example.org?body=hello', policy)).toBe(false);
    expect(isAllowedLink('mailto:a@example.org,b@example.org', policy)).toBe(false);
    expect(isAllowedLink('https://evil.example/phish', policy)).toBe(false);
    expect(isAllowedLink('http://www.actionforhappiness.org/', policy)).toBe(false);
    expect(isAllowedLink('file:///etc/passwd', policy)).toBe(false);
    expect(isAllowedLink('javascript:alert(1)', policy)).toBe(false);
    expect(isAllowedLink('smb://fileserver/share', policy)).toBe(false);
  });

  it('a refused address is logged by scheme and host only: never a path, a query or a mail address', () => {
    expect(describeForLog('https://tracker.example/p/usr_42.jpg?member=maya')).toBe('https://tracker.example');
    expect(describeForLog('mailto:maya@example.org?body=x')).toBe('a mailto: address');
    expect(describeForLog('javascript:alert(document.cookie)')).toBe('a javascript: address');
    expect(describeForLog('::')).toBe('a malformed address');
  });
});
