import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { DEMO_COORDINATOR2, demoScopes } from '../src/server/demo/generateDemo.js';
import { launchBrowser, openApp, screenshot, signIn, startStack, waitForSync, type AppClient, type Stack } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

// Each laptop holds only its coordinator's communities (issue 13), in real Chromium against the
// real core and server: Settings lists them by name, the board's pipeline picker offers only
// them, an open member page whose member leaves them says so instead of failing, and a
// coordinator with none is told whom to ask.

const COORD2 = { email: DEMO_COORDINATOR2.email, password: DEMO_COORDINATOR2.password };

describe.skipIf(!hasChromium)('scoped laptops', () => {
  let stack: Stack;
  let browser: Browser;
  let app: AppClient;
  const scope = demoScopes(20).coordinator2;
  const names = new Map<string, string>();

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    // The seeded server still holds coordinator2's demo scope; make sure of it (3 of the 20 cohorts).
    await stack.server!.admin.setScope(DEMO_COORDINATOR2.id, { all: false, cohortIds: scope });
    const rows = await stack.server!.admin.database.read((tx) => tx.rows<{ id: string; name: string }>(sql`SELECT id, name FROM cohort`));
    for (const r of rows) names.set(r.id, r.name);
    app = await openApp(browser, stack, 'scoped');
    await signIn(app.page, COORD2);
    await waitForSync(app);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await browser?.close();
    await stack?.close();
  });

  it('Settings lists “Your communities” by name, and the pipeline picker offers only them', async () => {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    const section = page.getByRole('region', { name: 'Your communities' });
    await section.waitFor();
    const listed = await page.getByTestId('communities').locator('li').allTextContents();
    expect(listed.sort()).toEqual(scope.map((id) => names.get(id)!).sort());
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, '50-settings-communities');

    await page.getByRole('navigation').getByRole('button', { name: 'Champions' }).click();
    const picker = page.getByLabel('Cohort');
    await picker.waitFor();
    const options = await picker.locator('option').allTextContents();
    expect(options[0]).toMatch(/^Global/);
    expect(
      options
        .slice(1)
        .map((o) => o.replace(/ \((planned|active|finished)\)$/, ''))
        .sort(),
    ).toEqual(scope.map((id) => names.get(id)!).sort());
    // Only members of these communities are on the laptop.
    const held = await app.call('people.count', {});
    const expected = await stack.server!.admin.database.read((tx) =>
      tx.rows<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM (SELECT user_id FROM enrollment WHERE cohort_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(scope)}::jsonb))
                                          UNION SELECT user_id FROM champion WHERE cohort_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(scope)}::jsonb))) m`,
      ),
    );
    expect(held.count).toBe(expected[0]!.n);
  });

  it('an open member page whose member leaves the communities says so instead of failing', async () => {
    const { page } = app;
    const last = scope[scope.length - 1]!;
    // A member held only through the last community: narrowing the scope to the others removes them.
    const only = await stack.server!.admin.database.read((tx) =>
      tx.rows<{ id: string; name: string }>(
        sql`SELECT u.id, u.name FROM "user" u WHERE u.id IN (SELECT user_id FROM enrollment WHERE cohort_id = ${last})
              AND NOT EXISTS (SELECT 1 FROM enrollment e WHERE e.user_id = u.id AND e.cohort_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(scope.slice(0, -1))}::jsonb)))
              AND NOT EXISTS (SELECT 1 FROM champion c WHERE c.user_id = u.id AND c.cohort_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(scope.slice(0, -1))}::jsonb)))
            ORDER BY u.id LIMIT 1`,
      ),
    );
    const member = only[0]!;
    expect(member, 'the demo has a member only in the last community').toBeDefined();
    await page.getByRole('navigation').getByRole('button', { name: 'People' }).click();
    await page.getByLabel('Search people by name or email').fill(member.name);
    await page.getByRole('listbox', { name: 'People' }).locator(`#person-${member.id}`).click();
    await page.getByRole('heading', { level: 1, name: member.name }).waitFor();

    await stack.server!.admin.setScope(DEMO_COORDINATOR2.id, { all: false, cohortIds: scope.slice(0, -1) });
    await app.call('sync.now', {});
    await waitForSync(app);
    const notice = page.getByTestId('member-left-scope');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('This member is no longer in your communities');
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, '51-member-left-scope');
    // Gone from search too.
    expect((await app.call('people.search', { query: member.name, limit: 50 })).items.map((m) => m.id)).not.toContain(member.id);
  });

  it('a coordinator with no communities yet is told so, and whom to ask', async () => {
    await stack.server!.admin.createUser({
      id: 'usr_e2e_new_coord',
      email: 'new-coordinator@demo.local',
      name: 'New Coordinator',
      roles: ['admin'],
      password: 'pw-new-coordinator',
    });
    const fresh = await openApp(browser, stack, 'unscoped');
    try {
      await signIn(fresh.page, { email: 'new-coordinator@demo.local', password: 'pw-new-coordinator' });
      await waitForSync(fresh);
      const empty = fresh.page.getByTestId('people-empty');
      await empty.waitFor();
      expect(await empty.textContent()).toMatch(/no communities yet.*Ask a superadmin/);
      await fresh.page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
      const words = fresh.page.getByTestId('communities');
      await words.waitFor();
      expect(await words.textContent()).toMatch(/You have no communities yet.*Ask a superadmin/);
      await screenshot(fresh.page, '52-settings-no-communities');
    } finally {
      await fresh.close();
    }
  });
});
