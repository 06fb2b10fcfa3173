import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { openSyncedApps, pullEverything, screenshot, serverLogin, type AppClient, type Stack, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

describe.skipIf(!hasChromium)('working offline, then syncing by itself', () => {
  let env: SyncedApps<'offline'>;
  let stack: Stack;
  let app: AppClient;

  beforeAll(async () => {
    env = await openSyncedApps({ offline: 'a' });
    ({
      stack,
      apps: { offline: app },
    } = env);
  });
  afterAll(() => env?.close());

  it('records an action and moves a champion while the server is down; both reach the server exactly once', async () => {
    const { page } = app;
    const board = await app.call('board.get', { cohortId: null });
    const card = board.columns.find((c) => c.stage === 'candidate')?.cards[0];
    expect(card, 'the demo has a global candidate').toBeDefined();
    const champion = card!.champion;
    const member = champion.user_id;
    const note = `Called in person ${Date.now()}`;

    await stack.stopServer();

    // Record an action from the member's page.
    await page.getByRole('navigation').getByRole('button', { name: 'People' }).click();
    await page.getByLabel('Search people by name or email').fill(card!.userName ?? '');
    await page.getByRole('listbox', { name: 'People' }).getByRole('option').first().waitFor();
    await page
      .getByRole('listbox', { name: 'People' })
      .getByRole('option')
      .filter({ hasText: card!.userEmail ?? '' })
      .first()
      .click();
    await page.getByRole('button', { name: 'Record an action' }).first().click();
    const dialog = page.getByTestId('record-action');
    // A label's name includes its select's current value, hence the prefix match.
    await dialog.getByRole('combobox', { name: /^Action/ }).selectOption('posted_reply');
    await dialog.getByLabel('Note (optional)').fill(note);
    await dialog.getByRole('button', { name: 'Record' }).click();
    await dialog.waitFor({ state: 'detached' });
    const recorded = page.getByTestId('timeline-event').filter({ hasText: note });
    await recorded.waitFor();
    expect(await recorded.getByText('Pending sync').count()).toBe(1);

    // Move the champion with the board's keyboard menu.
    await page.getByRole('navigation').getByRole('button', { name: 'Champions' }).click();
    const cardEl = page.locator(`#card-${champion.id}`);
    await cardEl.focus();
    await page.keyboard.press('m');
    const menu = page.getByTestId('move-menu');
    await menu.waitFor();
    await menu.getByLabel('Reason (optional)').fill('met them offline');
    await menu.getByRole('button', { name: /Move to Selected/ }).click();
    await page.locator(`[data-testid="column-selected"] #card-${champion.id}`).waitFor();

    await expect.poll(() => page.getByTestId('pending-count').textContent(), { timeout: 30_000 }).toBe('2 pending changes');
    await expect.poll(() => app.status().online, { timeout: 30_000 }).toBe(false);
    await screenshot(page, '08-offline-pending');

    // The server comes back at the same address: sync must run by itself.
    await stack.restartServer();
    await expect.poll(() => page.getByTestId('pending-count').textContent(), { timeout: 90_000, interval: 500 }).toBe('All changes synced');
    await screenshot(page, '09-back-online-synced');

    const token = await serverLogin(stack.serverUrl);
    const changes = await pullEverything(stack.serverUrl, token);
    const actions = changes.filter(
      (c) => c.table === 'user_action' && c.row?.user_id === member && (c.row.metadata as { note?: string } | undefined)?.note === note,
    );
    expect(actions).toHaveLength(1);
    expect(actions[0]!.row).toMatchObject({ source_system: 'manual', action_type: 'posted_reply' });
    const moves = changes.filter((c) => c.table === 'champion_stage_change' && c.row?.champion_id === champion.id && c.row.to_stage === 'selected');
    expect(moves).toHaveLength(1);
    expect(moves[0]!.row).toMatchObject({ from_stage: 'candidate', reason: 'met them offline' });
    const row = changes.find((c) => c.table === 'champion' && c.row?.id === champion.id);
    expect(row?.row).toMatchObject({ stage: 'selected' });
  });
});
