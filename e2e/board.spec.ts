import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { openSyncedApps, screenshot, waitForSync, type AppClient, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

describe.skipIf(!hasChromium)('champion board', () => {
  let env: SyncedApps<'board'>;
  let app: AppClient;

  beforeAll(async () => {
    env = await openSyncedApps({ board: 'a' });
    app = env.apps.board;
    await app.page.getByRole('navigation').getByRole('button', { name: 'Champions' }).click();
    await app.page.getByTestId('champion-card').first().waitFor();
  });
  afterAll(() => env?.close());

  const count = async (stage: string) => Number(await app.page.getByTestId(`count-${stage}`).textContent());

  it('moves a card one stage with the keyboard only: Tab to it, m, arrow, Enter', async () => {
    const { page } = app;
    await screenshot(page, '12-champions-board');
    const before = { candidate: await count('candidate'), selected: await count('selected') };

    // Tab from the page start until a candidate card has focus.
    await page.locator('body').focus();
    let focusedId: string | null = null;
    for (let i = 0; i < 60 && !focusedId; i++) {
      await page.keyboard.press('Tab');
      focusedId = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.dataset.testid === 'champion-card' && el.dataset.stage === 'candidate' ? el.id : null;
      });
    }
    expect(focusedId, 'a candidate card is reachable with Tab').not.toBeNull();

    await page.keyboard.press('m');
    const menu = page.getByTestId('move-menu');
    await menu.waitFor();
    // "Selected" is preselected; invalid targets are disabled with the reason shown.
    expect(await menu.getByRole('radio', { name: /Champion/ }).isDisabled()).toBe(true);
    expect(await menu.getByText('Only one step at a time').count()).toBe(2);
    await screenshot(page, '13-move-menu');
    // Arrow keys cannot land on a disabled stage; Enter confirms.
    await page.keyboard.press('ArrowDown');
    expect(await menu.getByRole('radio', { name: /Selected/ }).isChecked()).toBe(true);
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });

    await page.locator(`[data-testid="column-selected"] #${focusedId}`).waitFor();
    expect(await count('candidate')).toBe(before.candidate - 1);
    expect(await count('selected')).toBe(before.selected + 1);
    // Focus follows the card to its new column, so the next key press acts on it again.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(focusedId);
    await waitForSync(app, 60_000);
  });

  it('drags a card to the next stage, and refuses a two-step drop', async () => {
    const { page } = app;
    const card = page.locator('[data-testid="column-selected"] [data-testid="champion-card"]').first();
    const id = await card.getAttribute('id');
    const before = await count('alumni');
    const drag = async (to: string) => {
      const from = await card.boundingBox();
      const target = await page.getByTestId(`column-${to}`).boundingBox();
      await page.mouse.move(from!.x + from!.width / 2, from!.y + 20);
      await page.mouse.down();
      await page.mouse.move(from!.x + from!.width / 2 + 10, from!.y + 30, { steps: 4 });
      await page.mouse.move(target!.x + target!.width / 2, target!.y + 60, { steps: 12 });
      await page.mouse.up();
    };
    await drag('alumni');
    await page.waitForTimeout(300);
    expect(await count('alumni')).toBe(before);
    expect(await page.locator(`[data-testid="column-selected"] #${id}`).count()).toBe(1);

    await drag('champion');
    await page.locator(`[data-testid="column-champion"] #${id}`).waitFor();
  });

  it('adds a candidate from search through the command palette', async () => {
    const { page } = app;
    const { items } = await app.call('people.search', { query: '', roles: ['student'], limit: 200 });
    const board = await app.call('board.get', { cohortId: null });
    const onBoard = new Set(board.columns.flatMap((c) => c.cards.map((k) => k.champion.user_id)));
    const person = items.find((p) => !onBoard.has(p.id) && /^[A-Za-z]/.test(p.email));
    expect(person).toBeDefined();

    const before = await count('candidate');
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('combobox', { name: 'Command' });
    await palette.fill('add a cand');
    await palette.press('Enter');
    const dialog = page.getByTestId('add-candidate');
    await dialog.getByLabel('Member', { exact: true }).fill(person!.name);
    const option = dialog.getByRole('option').filter({ hasText: person!.email }).first();
    await option.waitFor();
    await option.click();
    await dialog.getByLabel('Notes (optional)').fill('Suggested at the spring meetup');
    await screenshot(page, '14-add-candidate');
    await dialog.getByRole('button', { name: 'Add as candidate' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => count('candidate')).toBe(before + 1);
    await page.locator('[data-testid="column-candidate"] [data-testid="champion-card"]', { hasText: person!.name }).first().click();
    const detail = page.getByTestId('card-detail');
    await detail.getByText('Added as').waitFor();
    await screenshot(page, '15-card-detail');
    await page.keyboard.press('Escape');
    await waitForSync(app, 60_000);
  });
});
