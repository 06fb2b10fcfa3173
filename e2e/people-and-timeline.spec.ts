import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { openSyncedApps, screenshot, signIn, waitForSync, type AppClient, type Stack, type SyncedApps } from './harness.js';

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

if (!hasChromium) console.warn(NO_CHROMIUM);

describe.skipIf(!hasChromium)('people search and member timeline in Chromium', () => {
  let env: SyncedApps<'people'>;
  let stack: Stack;
  let app: AppClient;
  /** A member whose name carries an accent, with enough actions to page the timeline. */
  let target: { id: string; name: string; token: string; actionCount: number };

  beforeAll(async () => {
    // The first test signs out straight away, so there is no first sync to wait for.
    env = await openSyncedApps({ people: 'a' }, { waitForSync: false });
    ({
      stack,
      apps: { people: app },
    } = env);
  });
  afterAll(() => env?.close());

  it('signs out from Settings, refuses a wrong password in plain words, then signs in again', async () => {
    const { page } = app;
    // This install starts signed in and synced (seeded once per run, see globalSetup.ts).
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => page.getByLabel('Server address').inputValue()).toBe(stack.serverUrl);
    await screenshot(page, '01-sign-in');

    await page.getByLabel('Email').fill('coordinator@demo.local');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByTestId('signin-error');
    await error.waitFor();
    expect(await error.textContent()).not.toMatch(/stack|SQL|at .*\.ts/i);
    expect((await app.call('auth.status', {})).signedIn).toBe(false);

    await signIn(page);
    await waitForSync(app);
    await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('All changes synced');
  });

  it('finds a member by an accent-folded prefix and opens them from the keyboard', async () => {
    const { items } = await app.call('people.search', { query: '', limit: 500 });
    for (const m of items) {
      const token = m.name.split(/\s+/).find((w) => fold(w) !== w.toLowerCase() && /^[a-z]{4,}$/.test(fold(w)));
      if (!token) continue;
      const detail = await app.call('member.get', { id: m.id });
      if (detail.actionCount >= 120) {
        target = { id: m.id, name: m.name, token, actionCount: detail.actionCount };
        break;
      }
    }
    expect(target, 'the demo data has an accented member with 120+ actions').toBeDefined();

    const { page } = app;
    const search = page.getByLabel('Search people by name or email');
    await page.getByRole('heading', { name: 'People' }).click();
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    const prefix = fold(target.token).slice(0, Math.max(4, fold(target.token).length - 1));
    await search.pressSequentially(prefix, { delay: 30 });
    const option = page.getByRole('option', { name: new RegExp(target.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
    await option.first().waitFor();
    await screenshot(page, '02-people-search');

    // Walk the list with the arrow keys to the member, then Enter opens them.
    const names = await page.getByRole('listbox', { name: 'People' }).getByRole('option').locator('.person-name').allTextContents();
    const index = names.indexOf(target.name);
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < index; i++) await search.press('ArrowDown');
    await search.press('Enter');
    await page.getByRole('heading', { level: 1, name: target.name }).waitFor();
    await page.getByTestId('timeline-event').first().waitFor();
    await screenshot(page, '03-member');
  });

  it('filters the timeline by action type and loads more as it scrolls', async () => {
    const { page } = app;
    const events = page.getByTestId('timeline-event');
    const firstPage = await events.count();
    expect(firstPage).toBe(50);

    // The member page scrolls as one page (the timeline is not a scroll box of its own).
    await page.locator('.screen-member').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => events.count(), { timeout: 15_000 }).toBeGreaterThan(firstPage);

    const counts = await app.call('timeline.dailyCounts', { userId: target.id, actionTypes: ['viewed_module'] });
    const viewed = counts.days.reduce((s, d) => s + d.count, 0);
    expect(viewed).toBeGreaterThan(0);
    await page.getByLabel('Action type').selectOption('viewed_module');
    await expect
      .poll(async () => {
        const labels = await page.locator('[data-testid="timeline-event"] .action').allTextContents();
        return labels.length > 0 && labels.every((l) => l === 'Viewed module');
      })
      .toBe(true);
    await expect.poll(() => events.count()).toBeGreaterThanOrEqual(Math.min(50, viewed));
    expect(await events.count()).toBeLessThanOrEqual(viewed);
    await screenshot(page, '04-member-filtered');
  });

  it('shows recent activity across members and exports the people list as CSV', async () => {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: 'Recent activity' }).click();
    await page.getByTestId('timeline-event').first().waitFor();
    expect(await page.locator('[data-testid="timeline-event"] button.link').count()).toBeGreaterThan(0);
    await screenshot(page, '05-recent-activity');

    await page.getByRole('navigation').getByRole('button', { name: 'People' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^people-\d{4}-\d{2}-\d{2}\.csv$/);
    const stream = await file.createReadStream();
    let csv = '';
    for await (const chunk of stream) csv += String(chunk);
    expect(csv.split('\n')[0]).toMatch(/name/i);
    expect(csv.split('\n').filter(Boolean).length).toBeGreaterThan(100);
  });

  it('opens the command palette with Ctrl+K and jumps to a screen', async () => {
    const { page } = app;
    await page.keyboard.press('Control+k');
    const input = page.getByRole('combobox', { name: 'Command' });
    await input.waitFor();
    await input.fill('setti');
    await screenshot(page, '06-command-palette');
    await input.press('Enter');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByTestId('data-location').waitFor();
    await screenshot(page, '07-settings');
  });
});
