import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { downloadedText, openSyncedApps, parseCsv, screenshot, type AppClient, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

// The member page, the Record an action dialog and Recent activity, on a laptop in Sydney
// (UTC+11 in November): what a coordinator types and reads is local time.
const ZONE = 'Australia/Sydney';

/** `YYYY-MM-DD` of an instant in a time zone. */
const dayIn = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(ms);
/** Looks for ids shown as if they were words: mod_tenkeys_3, q_ewm_2_1, coh_020, pst_coh_015_4702, answerLength. */
const INTERNAL_ID = /\b(?:mod|q|coh|pst|thr|forum|blk|crs|enr|usr|act)_[a-z0-9_]+|answerLength|recorded_by/;

describe.skipIf(!hasChromium)('a member’s page, recording actions and recent activity', () => {
  let env: SyncedApps<'member'>;
  let app: AppClient;
  /** A member with enrollments and a long history. */
  let member: { id: string; name: string };

  beforeAll(async () => {
    env = await openSyncedApps({ member: 'a' }, { timezoneId: ZONE });
    app = env.apps.member;
    const { items } = await app.call('people.search', { query: '', limit: 200 });
    for (const m of items) {
      const d = await app.call('member.get', { id: m.id });
      if (d.enrollments.length >= 2 && d.actionCount > 200) {
        member = { id: m.id, name: m.name };
        break;
      }
    }
    expect(member, 'the demo has a member with two enrollments and 200+ actions').toBeDefined();
  });
  afterAll(() => env?.close());

  /** Each test starts without a dialog left open by the one before. */
  beforeEach(async () => {
    for (let i = 0; i < 3 && (await app.page.locator('dialog[open]').count()) > 0; i++) await app.page.keyboard.press('Escape');
  });

  async function clearTimelineFilters(): Promise<void> {
    const clear = app.page.getByRole('button', { name: 'Clear filters' });
    if (await clear.count()) await clear.click();
  }

  async function openMember(id: string, name: string): Promise<void> {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: 'People' }).click();
    await page.getByLabel('Search people by name or email').fill(name);
    await page.getByRole('listbox', { name: 'People' }).locator(`#person-${id}`).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByTestId('timeline-event').first().waitFor();
  }

  it('Record an action keeps its width with long enrollment names, never repeats the course, and keeps its title in view', async () => {
    const { page } = app;
    await openMember(member.id, member.name);
    await page.getByRole('button', { name: 'Record an action' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Record an action' });
    const form = page.getByTestId('record-action');
    await form.getByLabel('Enrollment (optional)').waitFor();
    const options = await form.getByLabel('Enrollment (optional)').locator('option').allTextContents();
    const detail = await app.call('member.get', { id: member.id });
    for (const e of detail.enrollments) {
      const label = options.find((o) => o.includes(e.cohortName ?? e.course_name ?? e.id))!;
      expect(label, `an option for ${e.id}`).toBeDefined();
      expect(label.split(e.course_name!).length - 1, `"${label}" names its course once`).toBe(1);
    }
    // Focus every field in turn: the dialog never scrolls sideways and its buttons stay inside it.
    for (const field of await form.locator('input, select, textarea').all()) if (await field.isEnabled()) await field.focus();
    const box = await dialog.evaluate((el) => ({
      scrollLeft: el.scrollLeft,
      overflow: el.scrollWidth - el.clientWidth,
      rect: el.getBoundingClientRect().toJSON() as DOMRect,
    }));
    expect(box.scrollLeft).toBe(0);
    expect(box.overflow).toBeLessThanOrEqual(0);
    for (const name of ['Record', 'Cancel']) {
      const b = (await form.getByRole('button', { name, exact: true }).boundingBox())!;
      expect(b.x + b.width).toBeLessThanOrEqual(box.rect.x + box.rect.width);
    }
    const title = (await dialog.getByRole('heading', { name: 'Record an action' }).boundingBox())!;
    expect(title.x).toBeGreaterThanOrEqual(box.rect.x);
    // Fields are set in regular weight, not bold.
    const weights = await form.evaluate((el) => [...el.querySelectorAll('input, select, textarea')].map((f) => getComputedStyle(f).fontWeight));
    expect(new Set(weights)).toEqual(new Set(['400']));
    await screenshot(page, '30-record-action');
    await page.keyboard.press('Escape');
  });

  it('refuses a date before 2000 or in the future in plain words next to "When", and the chart always ends today', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Record an action' }).first().click();
    const form = page.getByTestId('record-action');
    const when = form.getByLabel('When');
    expect(await when.getAttribute('min')).toBe('2000-01-01T00:00');
    expect((await when.getAttribute('max'))!.slice(0, 10)).toBe(dayIn(Date.now(), ZONE));
    const pendingBefore = app.status().pending;
    await when.fill('1900-01-01T09:00');
    await form.getByRole('button', { name: 'Record', exact: true }).click();
    const problem = form.getByTestId('when-error');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/1 January 2000/);
    expect(await problem.textContent()).not.toMatch(/occurredAt/);
    expect(await when.getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
    await screenshot(page, '31-record-action-bad-date');
    await page.keyboard.press('Escape');
    expect(app.status().pending).toBe(pendingBefore);

    // The contract refuses it too, whoever calls.
    const r = await app.host.core.dispatch('action.record', { userId: member.id, actionType: 'posted_reply', occurredAt: '1900-01-01T09:00:00Z' });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'occurredAt' } });
    const later = new Date(Date.now() + 24 * 3600_000).toISOString();
    const r2 = await app.host.core.dispatch('action.record', { userId: member.id, actionType: 'posted_reply', occurredAt: later });
    expect(r2).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'occurredAt' } });

    // An old but valid action does not stretch the chart over decades: it covers the last year up to today.
    await app.call('action.record', { userId: member.id, actionType: 'posted_reply', occurredAt: '2001-06-01T10:00:00Z' });
    const chart = page.getByTestId('activity-chart');
    await expect.poll(() => chart.getAttribute('data-last-day')).toBe(dayIn(Date.now(), ZONE));
    const first = (await chart.getAttribute('data-first-day'))!;
    expect(Date.now() - Date.parse(`${first}T00:00:00Z`)).toBeLessThan(400 * 86_400_000);
    expect(await chart.textContent()).not.toMatch(/2001/);
  });

  it('long notes show in full on demand, expanding in place', async () => {
    const { page } = app;
    const note = `Long call about hosting a group at the library. ${'She has lots of ideas for the spring term and wants to bring a friend. '.repeat(4)}End of note.`;
    await page.getByRole('button', { name: 'Record an action' }).first().click();
    const form = page.getByTestId('record-action');
    await form.getByLabel('Action', { exact: true }).selectOption('posted_reply');
    await form.getByLabel('Note (optional)').fill(note);
    await form.getByRole('button', { name: 'Record', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    const event = page.getByTestId('timeline-event').filter({ hasText: 'Long call about hosting' }).first();
    await event.waitFor();
    const dd = event.locator('.detail-text').filter({ hasText: 'Long call' });
    expect(await dd.evaluate((el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 2)).toBe(true);
    const more = event.getByRole('button', { name: 'Show more' });
    await more.click();
    expect(await event.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
    expect(await dd.textContent()).toContain('End of note.');
    expect(await dd.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight + 2)).toBe(true);
    await screenshot(page, '32-member-note-expanded');
  });

  it('times read in the laptop’s zone, with the zone named, and Settings switches the zone (kept after a reload)', async () => {
    const { page } = app;
    // 09:00 in Sydney, three days ago: 22:00 UTC the day before.
    const day = dayIn(Date.now() - 3 * 86_400_000, ZONE);
    const note = `Sydney morning ${Date.now()}`;
    await page.getByRole('button', { name: 'Record an action' }).first().click();
    const form = page.getByTestId('record-action');
    await form.getByLabel('When').fill(`${day}T09:00`);
    await form.getByLabel('Note (optional)').fill(note);
    await form.getByRole('button', { name: 'Record', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    const event = page.getByTestId('timeline-event').filter({ hasText: note });
    await event.waitFor();
    expect(await event.locator('time').textContent()).toMatch(/^0?9:00/);
    expect(await event.locator('time').textContent()).toMatch(/AEDT|GMT\+11/);
    expect(await event.evaluate((el) => el.closest('section')?.getAttribute('data-day'))).toBe(day);

    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Time zone').selectOption('UTC');
    await screenshot(page, '33-settings-time-zone');
    await page.goBack();
    const utcEvent = page.getByTestId('timeline-event').filter({ hasText: note });
    await utcEvent.waitFor();
    expect(await utcEvent.locator('time').textContent()).toMatch(/^(22:00|10:00 PM)/);
    expect(await utcEvent.locator('time').textContent()).toMatch(/UTC/);
    const before = new Date(`${day}T00:00:00Z`);
    before.setUTCDate(before.getUTCDate() - 1);
    expect(await utcEvent.evaluate((el) => el.closest('section')?.getAttribute('data-day'))).toBe(before.toISOString().slice(0, 10));

    await page.reload();
    await page.getByTestId('timeline-event').filter({ hasText: note }).waitFor();
    expect(await page.getByTestId('timeline-event').filter({ hasText: note }).locator('time').textContent()).toMatch(/UTC/);
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Time zone').selectOption('');
    await page.goBack();
    await page.getByTestId('timeline-event').first().waitFor();
  });

  it('shows module, question and cohort names instead of ids (ids on hover), and the same source names as the filter', async () => {
    const { page } = app;
    const timeline = page.getByTestId('timeline');
    await page.getByTestId('timeline-event').first().waitFor();
    expect(await timeline.textContent()).not.toMatch(INTERNAL_ID);
    expect(await timeline.textContent()).toMatch(/Module \d+/);
    expect(await timeline.locator('[title^="mod_"]').count()).toBeGreaterThan(0);
    const badges = new Set(await timeline.locator('.badge-source').allTextContents());
    const sources = await page.getByLabel('Source').locator('option').allTextContents();
    for (const b of badges) expect(sources).toContain(b);

    await page.getByRole('navigation').getByRole('button', { name: 'Recent activity' }).click();
    await page.getByTestId('timeline-event').first().waitFor();
    expect(await page.getByTestId('timeline').textContent()).not.toMatch(INTERNAL_ID);
    await page.goBack();
    await page.getByTestId('timeline-event').first().waitFor();
  });

  it('the activity chart has an axis and a tooltip, and clicking a day filters the timeline to that day', async () => {
    const { page } = app;
    const chart = page.getByTestId('activity-chart');
    expect(await chart.locator('.chart-tick').count()).toBeGreaterThanOrEqual(4);
    const busy = chart.locator('[data-count]:not([data-count="0"])').last();
    const day = (await busy.getAttribute('data-day'))!;
    const count = Number(await busy.getAttribute('data-count'));
    await busy.hover();
    const tip = page.getByRole('tooltip');
    await tip.waitFor();
    expect(await tip.textContent()).toMatch(new RegExp(`${count} action${count === 1 ? '' : 's'}`));
    await screenshot(page, '34-member-chart-tooltip');
    await busy.click();
    expect(await page.getByLabel('From date').inputValue()).toBe(day);
    expect(await page.getByLabel('To date').inputValue()).toBe(day);
    await expect
      .poll(() => page.locator('[data-testid="timeline"] section[data-day]').evaluateAll((s) => s.map((e) => e.getAttribute('data-day'))))
      .toEqual([day]);
    expect(await page.getByTestId('timeline-event').count()).toBe(Math.min(count, 50));
  });

  it('exports the member’s timeline as CSV with the filters applied', async () => {
    const { page } = app;
    await clearTimelineFilters();
    await page.getByLabel('Action type').selectOption('viewed_module');
    await page.getByTestId('timeline-event').first().waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^timeline-.+-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parseCsv(await downloadedText(file));
    const head = rows[0]!;
    const expected = (await app.call('timeline.dailyCounts', { userId: member.id, actionTypes: ['viewed_module'] })).days.reduce(
      (s, d) => s + d.count,
      0,
    );
    expect(rows).toHaveLength(expected + 1);
    for (const r of rows.slice(1)) expect(r[head.indexOf('action')]).toBe('Viewed module');
    expect(head).toEqual(expect.arrayContaining(['occurred_at', 'local_time', 'member', 'action', 'source']));
  });

  it('scrolls as one page: the timeline is not a scroll box inside it, and loads more as the page scrolls', async () => {
    const { page } = app;
    await clearTimelineFilters();
    const events = page.getByTestId('timeline-event');
    await events.first().waitFor();
    const before = await events.count();
    expect(await page.getByTestId('timeline').evaluate((el) => getComputedStyle(el).overflowY)).toBe('visible');
    await page.locator('.screen-member').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => events.count(), { timeout: 15_000 }).toBeGreaterThan(before);
    await screenshot(page, '35-member-scrolled');
  });

  it('says "1 action", and the only event shown, in the singular; a reversed range says so; a picked member clears "Choose a member first"', async () => {
    const { page } = app;
    // The demo's student login has no actions of its own: give them exactly one.
    const student = (await app.call('people.search', { query: 'student@demo.local', limit: 1 })).items[0]!;
    expect((await app.call('member.get', { id: student.id })).actionCount).toBe(0);
    await app.call('action.record', { userId: student.id, actionType: 'posted_reply', occurredAt: new Date(Date.now() - 3600_000).toISOString() });
    const single = { id: student.id, name: student.name };
    await openMember(single!.id, single!.name);
    expect(await page.locator('#activity-title').textContent()).toMatch(/\b1 action\b/);
    expect(await page.getByTestId('timeline-foot').textContent()).not.toMatch(/All 1 events/);
    expect(await page.getByTestId('timeline-foot').textContent()).toMatch(/only event/);

    await page.getByLabel('From date').fill('2026-10-10');
    await page.getByLabel('To date').fill('2026-10-01');
    const reversed = page.getByTestId('range-reversed');
    await reversed.waitFor();
    expect(await reversed.textContent()).toMatch(/From.*after.*To/);
    await clearTimelineFilters();

    await page.getByRole('navigation').getByRole('button', { name: 'Recent activity' }).click();
    await page.getByRole('button', { name: 'Record an action' }).click();
    const form = page.getByTestId('record-action');
    await form.getByRole('button', { name: 'Record', exact: true }).click();
    await form.getByText('Choose a member first.').waitFor();
    await form.getByLabel('Member', { exact: true }).fill(single!.name);
    await form.getByRole('option').filter({ hasText: single!.name }).first().click();
    await form.getByText(single!.name).waitFor();
    expect(await form.getByText('Choose a member first.').count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('exports Recent activity as CSV with its filters applied', async () => {
    const { page } = app;
    await page.getByLabel('Source').selectOption('manual');
    await page.getByTestId('timeline-event').first().waitFor();
    await screenshot(page, '36-recent-activity-filtered');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const rows = parseCsv(await downloadedText(await download));
    const head = rows[0]!;
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows.slice(1)) expect(r[head.indexOf('source')]).toBe('Manual');
    const manual = (await app.call('timeline.dailyCounts', { sourceSystems: ['manual'] })).days.reduce((s, d) => s + d.count, 0);
    expect(rows).toHaveLength(manual + 1);
  });
});
