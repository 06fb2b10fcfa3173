import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { openSyncedApps, pullEverything, screenshot, serverLogin, waitForSync, type AppClient, type Stack, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

describe.skipIf(!hasChromium)('two laptops edit the same notes', () => {
  let env: SyncedApps<'a' | 'b'>;
  let stack: Stack;
  let a: AppClient;
  let b: AppClient;

  beforeAll(async () => {
    env = await openSyncedApps({ a: 'a', b: 'b' });
    ({
      stack,
      apps: { a, b },
    } = env);
  });
  afterAll(() => env?.close());

  async function saveNotes(app: AppClient, championId: string, text: string) {
    const { page } = app;
    await page.getByRole('navigation').getByRole('button', { name: 'Champions' }).click();
    await page.locator(`#card-${championId}`).click();
    const detail = page.getByTestId('card-detail');
    await detail.waitFor();
    await detail.getByLabel('Notes').fill(text);
    await detail.getByRole('button', { name: 'Save notes' }).click();
    await detail.getByText('Saved on this laptop').waitFor();
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
  }

  it('shows the conflict with both texts on the card and the Sync screen, and "apply mine again" keeps my text', async () => {
    const board = await a.call('board.get', { cohortId: null });
    const card = board.columns.find((c) => c.stage === 'selected')?.cards[0] ?? board.columns[0]!.cards[0]!;
    const id = card.champion.id;
    const theirs = `Laptop A: met at the café on ${new Date().toISOString().slice(0, 10)}`;
    const mine = 'Laptop B: keen to host a group — keep this text!';

    await saveNotes(a, id, theirs);
    await waitForSync(a);
    // B still holds the old notes as its base, so its edit is stale on the server.
    await saveNotes(b, id, mine);

    const cardB = b.page.locator(`#card-${id}`);
    await cardB.getByTestId('conflict-badge').waitFor({ timeout: 60_000 });
    expect(await cardB.getByTestId('card-conflict').textContent()).toContain(theirs);
    expect(await cardB.getByTestId('card-conflict').textContent()).toContain(mine);
    await screenshot(b.page, '10-board-conflict');

    await b.page.getByRole('navigation').getByRole('button', { name: /^Sync/ }).click();
    const conflict = b.page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.getByTestId('conflict-server').textContent()).toBe(theirs);
    expect(await conflict.getByTestId('conflict-mine').textContent()).toBe(mine);
    await screenshot(b.page, '11-sync-conflicts');

    await conflict.getByRole('button', { name: 'Apply mine again' }).click();
    await b.page.getByText('No conflicts').waitFor({ timeout: 30_000 });
    await expect.poll(() => b.page.getByTestId('pending-count').textContent(), { timeout: 60_000 }).toBe('All changes synced');

    const changes = await pullEverything(stack.serverUrl, await serverLogin(stack.serverUrl));
    const rows = changes.filter((c) => c.table === 'champion' && c.row?.id === id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.row?.notes).toBe(mine);

    // A learns of it on its next sync.
    await a.call('sync.now', {});
    await waitForSync(a);
    const detail = await a.call('member.get', { id: card.champion.user_id });
    expect(detail.champions.find((c) => c.champion.id === id)?.champion.notes).toBe(mine);
  });

  it('a stale move shows the server stage beside mine, and "keep server\u2019s" accepts it without sending mine', async () => {
    const board = await a.call('board.get', { cohortId: null });
    const card = board.columns.find((c) => c.stage === 'selected')!.cards.at(-1)!;
    const id = card.champion.id;

    // Laptop A promotes the card; B, not yet aware, moves it back with a reason.
    await a.call('champion.move', { id, to: 'champion', reason: 'ran three sessions' });
    await waitForSync(a);
    const { page } = b;
    await page.getByRole('navigation').getByRole('button', { name: 'Champions' }).click();
    await page.locator(`#card-${id}`).focus();
    await page.keyboard.press('Enter');
    const menu = page.getByTestId('move-menu');
    await menu.getByRole('radio', { name: /Candidate/ }).check();
    await menu.getByLabel('Reason (optional)').fill('not ready yet');
    await menu.getByRole('button', { name: 'Move to Candidate' }).click();

    const cardB = page.locator(`#card-${id}`);
    await cardB.getByTestId('conflict-badge').waitFor({ timeout: 60_000 });
    const shown = await cardB.getByTestId('card-conflict').textContent();
    expect(shown).toContain('Stage: champion');
    expect(shown).toContain('selected → candidate');
    expect(shown).toContain('not ready yet');

    await cardB.click();
    const detail = page.getByTestId('card-detail');
    await detail.getByRole('button', { name: 'Keep server’s' }).click();
    await detail.getByTestId('conflict').waitFor({ state: 'detached', timeout: 30_000 });
    await page.keyboard.press('Escape');
    await page.locator(`[data-testid="column-champion"] #card-${id}`).waitFor();
    await waitForSync(b);
    expect((await b.call('conflicts.list', {})).conflicts).toHaveLength(0);

    const changes = await pullEverything(stack.serverUrl, await serverLogin(stack.serverUrl));
    expect(changes.find((c) => c.table === 'champion' && c.row?.id === id)?.row).toMatchObject({ stage: 'champion' });
    const history = changes.filter((c) => c.table === 'champion_stage_change' && c.row?.champion_id === id);
    expect(history.some((c) => c.row?.reason === 'not ready yet')).toBe(false);
  });

  it('names the member with a link, offers only what can work, never shows raw validation text, and says truthfully what "keep server\u2019s" did', async () => {
    const board = await a.call('board.get', { cohortId: null });
    const card = board.columns.find((c) => c.stage === 'selected')!.cards.at(-2)!;
    const id = card.champion.id;
    const name = card.userName!;
    // A promotes the card; B, not yet aware, moves it back: from champion, "back to candidate" would skip a stage.
    await a.call('champion.move', { id, to: 'champion', reason: 'A: promoted' });
    await waitForSync(a);
    await b.call('champion.move', { id, to: 'candidate', reason: 'B: back to candidate' });
    await b.call('sync.now', {});
    await expect.poll(async () => (await b.call('conflicts.list', {})).conflicts.some((c) => c.entityId === id), { timeout: 60_000 }).toBe(true);

    const { page } = b;
    await page.getByRole('navigation').getByRole('button', { name: /^Sync/ }).click();
    const conflict = page.getByTestId('conflict').filter({ hasText: 'B: back to candidate' });
    await conflict.waitFor();
    const text = (await conflict.textContent()) ?? '';
    expect(await conflict.getByTestId('conflict-member').textContent()).toBe(name);
    expect(text).not.toMatch(/args\.|to: a champion|can move only one step|\bstale\b/);
    expect(await conflict.getByRole('button', { name: 'Apply mine again' }).count()).toBe(0);
    expect(text).toMatch(/skip a stage/);
    await screenshot(page, '12-conflict-named');
    await page.setViewportSize({ width: 1024, height: 700 });
    await screenshot(page, '12b-conflict-named-1024');
    await page.setViewportSize({ width: 1360, height: 860 });

    await conflict.getByTestId('conflict-member').click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByRole('navigation').getByRole('button', { name: /^Sync/ }).click();
    await page.getByTestId('conflict').filter({ hasText: 'B: back to candidate' }).getByRole('button', { name: 'Keep server\u2019s' }).click();
    await page.getByText('No conflicts').waitFor({ timeout: 30_000 });
    const screen = (await page.locator('.screen-sync').textContent()) ?? '';
    expect(screen).not.toContain('Everything you changed was accepted');
    expect(screen).toContain(`was not sent`);
    await screenshot(page, '13-conflict-kept-server');
  });
});
