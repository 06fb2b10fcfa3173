import { describe, expect, it } from 'vitest';
import { MemberPhotos } from './memberPhotos.js';

// Member photos come through the core: never fetched while offline, handed over as data: URLs,
// and a failure is remembered so that a list of members does not ask again and again.

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

function fakeFetch(answer: (url: string) => Response | Error) {
  const asked: string[] = [];
  const f = (async (input: string | URL | Request) => {
    const url = String(input);
    asked.push(url);
    const a = answer(url);
    if (a instanceof Error) throw a;
    return a;
  }) as typeof fetch;
  return { f, asked };
}

describe('member photos', () => {
  it('does not even try while offline, and the page shows initials (null)', async () => {
    const { f, asked } = fakeFetch(() => new Response(PNG, { headers: { 'content-type': 'image/png' } }));
    const photos = new MemberPhotos({ fetch: f, online: () => false });
    expect(await photos.get('https://avatars.example.org/usr_1.jpg')).toBeNull();
    expect(asked).toEqual([]);
  });

  it('hands an image over as a data: URL and asks the network once for it', async () => {
    const { f, asked } = fakeFetch(() => new Response(PNG, { headers: { 'content-type': 'image/png' } }));
    const photos = new MemberPhotos({ fetch: f, online: () => true });
    const url = 'https://avatars.example.org/usr_2.jpg';
    expect(await photos.get(url)).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(await photos.get(url)).not.toBeNull();
    expect(asked).toEqual([url]);
  });

  it('remembers a failure for a while instead of asking again, then tries once more', async () => {
    let now = 0;
    const { f, asked } = fakeFetch(() => new TypeError('getaddrinfo ENOTFOUND avatars.example.org'));
    const photos = new MemberPhotos({ fetch: f, online: () => true, now: () => now });
    const url = 'https://avatars.example.org/usr_3.jpg';
    expect(await photos.get(url)).toBeNull();
    expect(await photos.get(url)).toBeNull();
    expect(asked).toHaveLength(1);
    now += 11 * 60_000;
    await photos.get(url);
    expect(asked).toHaveLength(2);
  });

  it('refuses what is not a small image over https', async () => {
    const { f, asked } = fakeFetch((url) =>
      url.includes('html')
        ? new Response('<html>', { headers: { 'content-type': 'text/html' } })
        : new Response(Buffer.alloc(300 * 1024), { headers: { 'content-type': 'image/jpeg' } }),
    );
    const photos = new MemberPhotos({ fetch: f, online: () => true });
    expect(await photos.get('http://avatars.example.org/plain.jpg')).toBeNull();
    expect(await photos.get('https://avatars.example.org/page.html')).toBeNull();
    expect(await photos.get('https://avatars.example.org/huge.jpg')).toBeNull();
    expect(asked).toEqual(['https://avatars.example.org/page.html', 'https://avatars.example.org/huge.jpg']);
  });
});
