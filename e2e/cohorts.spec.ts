import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { demoIngestSecret } from '../src/server/demo/loadDemo.js';
import { openSyncedApps, pullEverything, screenshot, serverLogin, waitForSync, type AppClient, type Stack, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

// The Cohorts screen and a cohort's page, in real Chromium against the real core and server:
// sort, open a cohort, read its funnel and at-risk list, export the list, watch a sync bring new
// actions into the open screen, add a suggested champion with the server down, and find the
// candidate on the board and, after the sync, on the server.

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's findings of serious or critical impact on the page as it is (evaluated over CDP, so the page's CSP does not apply). */
async function seriousAxeFindings(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(' ')}`);
}

async function screenshots(page: Page, name: string): Promise<void> {
  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150);
    await screenshot(page, `${name}-${w}x${h}`);
  }
  await screenshot(page, `${name}-1024x700-top`);
  // The whole page too, for review: the screen scrolls inside the window, so a tall window shows it all.
  await page.setViewportSize({ width: 1440, height: 2800 });
  await page.waitForTimeout(150);
  await screenshot(page, `${name}-1440-tall`);
  await page.setViewportSize({ width: 1360, height: 860 });
}

describe.skipIf(!hasChromium)('cohort insight', () => {
  let env: SyncedApps<'insight'>;
  let stack: Stack;
  let app: AppClient;
  let cohortId: string;

  beforeAll(async () => {
    env = await openSyncedApps({ insight: 'a' });
    ({
      stack,
      apps: { insight: app },
    } = env);
  });
  afterAll(() => env?.close());

  it('lists every cohort with its figures, sorts by a column, and refreshes when a sync brings new actions', async () => {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: 'Cohorts' }).click();
    const table = page.getByTestId('cohorts-table');
    await table.waitFor();
    const overview = await app.call('cohorts.overview', {});
    // Every cohort with members on this laptop (in the demo set, all of them).
    expect(await table.locator('tbody tr').count()).toBe(overview.cohorts.filter((c) => c.enrolled > 0).length);
    await screenshots(page, '30-cohorts');
    expect(await seriousAxeFindings(page)).toEqual([]);

    // Sort by "At risk": largest first, and the header says so.
    await table.getByRole('button', { name: /At risk/ }).click();
    const header = table.locator('th', { has: page.getByRole('button', { name: /At risk/ }) });
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const atRiskColumn = 6;
    const values = await table.locator(`tbody tr td:nth-child(${atRiskColumn + 1})`).allTextContents();
    const numbers = values.map((v) => Number(v.replace(/[^\d]/g, '')));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(numbers[0]).toBeGreaterThan(0);

    // The filter shows only cohorts of one status.
    await page.getByRole('radio', { name: 'Finished' }).check();
    const finished = overview.cohorts.filter((c) => c.cohort.status === 'finished' && c.enrolled > 0).length;
    await expect.poll(() => table.locator('tbody tr').count()).toBe(finished);
    await page.getByRole('radio', { name: 'All' }).check();

    // New actions arrive upstream for three members of the busiest-at-risk cohort; a sync brings them.
    const top = [...overview.cohorts].sort((a, b) => b.atRisk - a.atRisk)[0]!;
    cohortId = top.cohort.id;
    const insight = await app.call('cohort.insight', { cohortId });
    const movers = insight.members.filter((m) => m.status === 'active').slice(0, 3);
    const stamp = Date.now();
    // As the app (an upstream system) reports them: with its own ingest key, not a coordinator's token.
    const res = await fetch(`${stack.serverUrl}/v1/ingest/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demoIngestSecret('app')}` },
      body: JSON.stringify({
        actions: movers.map((m, i) => ({
          user_id: m.userId,
          enrollment_id: m.enrollmentId,
          action_type: 'answered_question',
          source_system: 'app',
          source_event_id: `e2e-insight-${stamp}-${i}`,
          occurred_at: new Date(stamp - 3_600_000).toISOString(),
        })),
      }),
    });
    expect(res.status).toBe(200);
    const row = table.locator(`tbody tr[data-cohort-id="${cohortId}"]`);
    expect(await row.locator('td').nth(3).textContent()).toMatch(/^0\b/);
    await app.call('sync.now', {});
    // The open screen follows the sync: "Active, 7 days" of that cohort now counts them.
    await expect.poll(() => row.locator('td').nth(3).textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^${movers.length}\\b`));
  });

  it('opens a cohort: funnel, modules, weekly activity, members and the at-risk list, exported as CSV', async () => {
    const { page } = app;
    const table = page.getByTestId('cohorts-table');
    await table.locator(`tbody tr[data-cohort-id="${cohortId}"] th button`).click();
    const funnel = page.getByTestId('funnel');
    await funnel.waitFor();
    const insight = await app.call('cohort.insight', { cohortId });
    await page.getByRole('heading', { level: 1, name: insight.cohort.name }).waitFor();
    expect(await funnel.locator('li').count()).toBe(4);
    expect(await funnel.locator('li').first().textContent()).toContain(String(insight.funnel[0]!.count));
    await page.getByTestId('modules').waitFor();

    const atRisk = await app.call('cohort.atRisk', { cohortId });
    expect(atRisk.members.length).toBeGreaterThan(0);
    const panel = page.getByTestId('at-risk');
    await expect.poll(() => panel.locator('.count-pill').textContent()).toBe(String(atRisk.members.length));
    await panel
      .getByRole('button', { name: atRisk.members[0]!.name ?? atRisk.members[0]!.userId })
      .first()
      .waitFor();
    await screenshots(page, '31-cohort');
    expect(await seriousAxeFindings(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^at-risk-.*-14-days-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Name,Email,Enrolled,Last action,Days without an action,Member id,Enrollment id');
    expect(lines.length).toBe(atRisk.members.length + 1);

    // The members table sorts, and a name opens the member's page.
    const members = page.getByTestId('members-table');
    await members.getByRole('button', { name: /Last action/ }).click();
    const latest = insight.members.reduce((m, x) => (x.lastActiveAt && x.lastActiveAt > m ? x.lastActiveAt : m), '');
    const newest = insight.members.filter((m) => m.lastActiveAt === latest).map((m) => m.name);
    await expect.poll(async () => newest.includes(await members.locator('tbody tr').first().locator('th').textContent())).toBe(true);
    const first = (await members.locator('tbody tr').first().locator('th').textContent())!;
    await members.locator('tbody tr').first().locator('th button').click();
    await page.getByRole('heading', { level: 1, name: first }).waitFor();
    await page.getByRole('button', { name: 'Back' }).click();
    await funnel.waitFor();
  });

  it('adds a suggested champion with the server down; the candidate is on the board at once and on the server after the sync', async () => {
    const { page } = app;
    const before = await app.call('cohort.insight', { cohortId });
    const pick = before.suggestions[0];
    expect(pick, 'the cohort has someone to suggest').toBeDefined();

    await stack.stopServer();
    const suggestions = page.getByTestId('suggestions');
    await suggestions.getByRole('button', { name: `Add ${pick!.name ?? pick!.userId} as a candidate` }).click();
    await suggestions.getByRole('status').filter({ hasText: 'is now a candidate' }).waitFor();
    // Now in a pipeline, so no longer suggested.
    await expect.poll(() => suggestions.getByRole('button', { name: `Add ${pick!.name ?? pick!.userId} as a candidate` }).count()).toBe(0);

    await suggestions.getByRole('button', { name: 'Open the pipeline' }).click();
    const card = page.locator('[data-testid="column-candidate"] [data-testid="champion-card"]', { hasText: pick!.name ?? pick!.userId });
    await card.waitFor();
    expect(await card.getByText('Pending sync').count()).toBe(1);

    await stack.restartServer();
    await app.call('sync.now', {});
    await waitForSync(app, 90_000);
    await expect.poll(() => card.getByText('Pending sync').count(), { timeout: 30_000 }).toBe(0);
    const changes = await pullEverything(stack.serverUrl, await serverLogin(stack.serverUrl));
    const rows = changes.filter((c) => c.table === 'champion' && c.row?.user_id === pick!.userId && c.row?.cohort_id === cohortId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.row).toMatchObject({ stage: 'candidate' });
    expect(String(rows[0]!.row!.notes)).toContain(pick!.reason);
  });
});
