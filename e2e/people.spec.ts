import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_QUERY_MAX } from '../src/shared/limits.js';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { downloadedText, openSyncedApps, parseCsv, screenshot, type AppClient, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

/** Text a person could see that is a validation library's wording or a field key, never plain words. */
const RAW_TEXT = /Too big|Too small|expected string|Invalid input|\b[a-z]+[A-Z]\w*: /;

describe.skipIf(!hasChromium)('People: finding, sorting and coming back to members', () => {
  let env: SyncedApps<'people'>;
  let app: AppClient;

  beforeAll(async () => {
    env = await openSyncedApps({ people: 'a' });
    app = env.apps.people;
  });
  afterAll(() => env?.close());

  const list = () => app.page.getByRole('listbox', { name: 'People' });
  /** The People screen as a fresh visit shows it: no search, no filters, sorted by name. */
  const freshPeople = async () => {
    await app.page.getByRole('navigation').getByRole('button', { name: 'People' }).click();
    await list().getByRole('option').first().waitFor();
  };
  const search = () => app.page.getByLabel('Search people by name or email');
  const activeIndex = () =>
    list().evaluate((el) => {
      const options = [...el.querySelectorAll('[role="option"]')];
      const active = el.querySelector('[role="option"][aria-selected="true"]');
      return active ? Number(active.getAttribute('data-index')) : options.length === 0 ? -2 : -1;
    });

  it('j and k move through the list from the page, Esc leaves the search keeping its text, and ? lists the shortcuts', async () => {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: 'People' }).click();
    await list().getByRole('option').first().waitFor();
    // Arriving on the screen, the advertised keys work at once: nothing was typed into the search box.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await search().inputValue()).toBe('');
    expect(await activeIndex()).toBe(2);
    await page.keyboard.press('k');
    expect(await activeIndex()).toBe(1);

    // Clicking somewhere else on the page does not switch them off.
    await page.getByRole('heading', { level: 1, name: 'People' }).click();
    await page.keyboard.press('j');
    expect(await activeIndex()).toBe(2);

    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await page.keyboard.type('ma');
    await page.keyboard.press('Escape');
    expect(await search().inputValue()).toBe('ma');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).not.toBe('search');
    // A new search starts at the top of its results.
    await expect.poll(() => activeIndex()).toBe(0);
    await page.keyboard.press('j');
    expect(await activeIndex()).toBe(1);

    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor();
    expect(await sheet.textContent()).toMatch(/Search people/);
    await screenshot(page, '20-shortcut-sheet');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await search().fill('');
  });

  it('a search box takes at most the contract’s length, and nothing a person types shows raw validation text', async () => {
    const { page } = app;
    await freshPeople();
    expect(await search().getAttribute('maxlength')).toBe(String(SEARCH_QUERY_MAX));
    await search().fill('x'.repeat(SEARCH_QUERY_MAX + 50));
    expect((await search().inputValue()).length).toBe(SEARCH_QUERY_MAX);
    await page.getByRole('button', { name: 'Clear filters' }).waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(RAW_TEXT);

    await page.keyboard.press('Control+k');
    const palette = page.getByRole('combobox', { name: 'Command' });
    await palette.waitFor();
    expect(await palette.getAttribute('maxlength')).toBe(String(SEARCH_QUERY_MAX));
    await page.keyboard.press('Escape');
    await search().fill('');
  });

  it('an empty result offers "Clear filters", which brings everyone back', async () => {
    const { page } = app;
    await freshPeople();
    const everyone = (await app.call('people.count', { query: '' })).count;
    await page.getByRole('group', { name: 'Roles' }).getByLabel('teacher').check();
    await search().fill('zzqxj');
    const empty = page.getByTestId('people-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toMatch(/No one matches/);
    await screenshot(page, '21-people-empty');
    await empty.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('people-count').textContent()).toBe(`${everyone.toLocaleString('en-US')} members`);
    expect(await search().inputValue()).toBe('');
    expect(await page.getByRole('group', { name: 'Roles' }).getByLabel('teacher').isChecked()).toBe(false);
  });

  it('sorts by name, last active and joined, with last-active and champion-stage columns and "N of M members"', async () => {
    const { page } = app;
    await freshPeople();
    const everyone = (await app.call('people.count', { query: '' })).count;
    const header = page.getByTestId('people-columns');
    expect(await header.textContent()).toMatch(/Last active/);
    expect(await header.textContent()).toMatch(/Champion stage/);

    await page.getByLabel('Sort by').selectOption('last_active');
    const expected = await app.call('people.search', { query: '', sort: 'last_active', limit: 5 });
    await expect
      .poll(() =>
        list()
          .getByRole('option')
          .locator('.person-name')
          .allTextContents()
          .then((n) => n.slice(0, 5)),
      )
      .toEqual(expected.items.map((m) => m.name));
    // Newest first, and every shown row says when.
    const first = expected.items[0]!;
    const second = expected.items[1]!;
    expect(first.lastActiveAt! >= second.lastActiveAt!).toBe(true);
    expect(await list().getByRole('option').first().locator('.person-last-active').textContent()).toMatch(/ago|today|yesterday/i);

    await page.getByLabel('Sort by').selectOption('joined');
    const joined = await app.call('people.search', { query: '', sort: 'joined', limit: 3 });
    await expect
      .poll(() =>
        list()
          .getByRole('option')
          .locator('.person-name')
          .allTextContents()
          .then((n) => n.slice(0, 3)),
      )
      .toEqual(joined.items.map((m) => m.name));

    await page.getByRole('group', { name: 'Roles' }).getByLabel('champion').check();
    const champions = (await app.call('people.count', { query: '', roles: ['champion'] })).count;
    await expect
      .poll(() => page.getByTestId('people-count').textContent())
      .toBe(`${champions.toLocaleString('en-US')} of ${everyone.toLocaleString('en-US')} members`);
    await expect.poll(() => list().getByRole('option').first().locator('.person-stage').textContent()).toMatch(/Champion/);
    await screenshot(page, '22-people-sorted');
    await page.getByRole('group', { name: 'Roles' }).getByLabel('champion').uncheck();
    await page.getByLabel('Sort by').selectOption('name');
  });

  it('rows line up whether a member has one role chip or two, and fields are not bold', async () => {
    const { page } = app;
    await freshPeople();
    // A surname shared by members with one role and members with two.
    const champs = await app.call('people.search', { query: '', roles: ['champion'], limit: 100 });
    let surname = '';
    for (const m of champs.items) {
      const last = m.name.split(' ').at(-1)!;
      const same = await app.call('people.search', { query: last, limit: 30 });
      if (same.items.some((p) => p.roles.length === 1) && same.items.some((p) => p.roles.length >= 2)) {
        surname = last;
        break;
      }
    }
    expect(surname, 'a surname shared by one-role and two-role members').not.toBe('');
    await search().fill(surname);
    await list()
      .locator('.person-row', { has: page.locator('.chip + .chip') })
      .first()
      .waitFor();
    const columns = await list().evaluate((el) =>
      [...el.querySelectorAll('.person-row')].map((row) => ({
        chips: row.querySelectorAll('.chip').length,
        origin: Math.round(row.querySelector('.person-origin')!.getBoundingClientRect().left),
        roles: Math.round(row.querySelector('.person-roles')!.getBoundingClientRect().left),
      })),
    );
    expect(new Set(columns.map((c) => c.chips)).size).toBeGreaterThan(1);
    expect(new Set(columns.map((c) => c.origin)).size).toBe(1);
    expect(new Set(columns.map((c) => c.roles)).size).toBe(1);
    await screenshot(page, '23-people-two-chips');

    const weights = await page.evaluate(() =>
      [...document.querySelectorAll('main input, main select, main textarea')].map((el) => getComputedStyle(el).fontWeight),
    );
    expect(weights.length).toBeGreaterThan(2);
    expect(new Set(weights)).toEqual(new Set(['400']));
    await search().fill('');
  });

  it('Back and reload bring back the search, the filters, the sort, the scroll position and the timeline filters', async () => {
    const { page } = app;
    await freshPeople();
    // "example" is in every demo email; the origin with the most students makes a list long enough to scroll.
    let origin = '';
    let most = 0;
    for (const o of (await app.call('people.origins', {})).origins) {
      const n = (await app.call('people.count', { query: 'example', roles: ['student'], origins: [o] })).count;
      if (n > most) [origin, most] = [o, n];
    }
    expect(most).toBeGreaterThan(20);
    await search().fill('example');
    await page.getByRole('group', { name: 'Roles' }).getByLabel('student').check();
    await page.getByLabel('Origin').selectOption(origin);
    await page.getByLabel('Sort by').selectOption('joined');
    await expect.poll(() => list().getByRole('option').count()).toBeGreaterThan(15);
    await list().evaluate((el) => el.scrollTo(0, 420));
    await page.waitForTimeout(300);
    const scrolled = await list().evaluate((el) => el.scrollTop);
    expect(scrolled).toBeGreaterThan(300);
    const row = list().getByRole('option').nth(8);
    const name = (await row.locator('.person-name').textContent())!;
    await row.click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByLabel('Action type').selectOption('viewed_module');
    await page.getByTestId('timeline-event').first().waitFor();

    const peopleRestored = async () => {
      await list().getByRole('option').first().waitFor();
      expect(await search().inputValue()).toBe('example');
      expect(await page.getByRole('group', { name: 'Roles' }).getByLabel('student').isChecked()).toBe(true);
      expect(await page.getByLabel('Origin').inputValue()).toBe(origin);
      expect(await page.getByLabel('Sort by').inputValue()).toBe('joined');
      await expect.poll(() => list().evaluate((el) => el.scrollTop)).toBeGreaterThan(scrolled - 30);
      expect(await list().evaluate((el) => el.scrollTop)).toBeLessThan(scrolled + 30);
    };

    await page.goBack();
    await peopleRestored();
    await page.goForward();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    expect(await page.getByLabel('Action type').inputValue()).toBe('viewed_module');

    await page.reload();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    expect(await page.getByLabel('Action type').inputValue()).toBe('viewed_module');
    await page.getByRole('button', { name: 'Back' }).click();
    await peopleRestored();
  });

  it('exports the people list with enrollments, champion stage and last activity', async () => {
    const { page } = app;
    await freshPeople();
    await page.getByRole('group', { name: 'Roles' }).getByLabel('champion').check();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const rows = parseCsv(await downloadedText(await download));
    const head = rows[0]!;
    expect(head).toEqual(expect.arrayContaining(['enrollments', 'champion_stage', 'last_active']));
    const champions = (await app.call('people.count', { query: '', roles: ['champion'] })).count;
    expect(rows).toHaveLength(champions + 1);
    const cells = rows[1]!;
    expect(cells[head.indexOf('champion_stage')]).toMatch(/champion/);
    expect(cells[head.indexOf('last_active')]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(cells[head.indexOf('enrollments')]).toMatch(/Exploring What Matters|Ten Keys|Kindness in Action/);
    await page.getByRole('group', { name: 'Roles' }).getByLabel('champion').uncheck();
  });

  it('Settings (with the reset confirmation) and Sync are looked at in both sizes and pass the audit', async () => {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: /^Sync/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Sync' }).waitFor();
    await screenshot(page, '24-sync');
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Reset local data…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Reset local data?' });
    await confirm.waitFor();
    await screenshot(page, '25-reset-local-data');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(app.status().lastSyncedAt).not.toBeNull();
  });
});
