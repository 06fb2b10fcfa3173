import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { openSyncedApps, screenshot, screenshotAsIs, waitForSync, type AppClient, type SyncedApps } from './harness.js';

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
  /** Each test starts without a dialog left open by the one before. */
  beforeEach(async () => {
    for (let i = 0; i < 3 && (await app.page.locator('dialog[open]').count()) > 0; i++) await app.page.keyboard.press('Escape');
  });

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
    // A drop asks for the optional reason, as the keyboard's move menu does (Enter confirms).
    await page.getByTestId('move-menu').getByRole('button', { name: 'Move to Champion' }).click();
    await page.locator(`[data-testid="column-champion"] #${id}`).waitFor();
  });

  it('a dragged card opens a gap in the column it is over, and the drop takes an optional reason', async () => {
    const { page } = app;
    const card = page.locator('[data-testid="column-candidate"] [data-testid="champion-card"]').first();
    const id = (await card.getAttribute('id'))!;
    const target = page.getByTestId('column-selected');
    const firstBelow = target.locator('[data-testid="champion-card"]').first();
    const before = (await firstBelow.boundingBox())!;
    const from = (await card.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + 20);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + 30, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 12 });
    const gap = target.getByTestId('drop-gap');
    await gap.waitFor();
    const gapBox = (await gap.boundingBox())!;
    expect(gapBox.height).toBeGreaterThan(30);
    const after = (await firstBelow.boundingBox())!;
    expect(after.y - before.y).toBeGreaterThanOrEqual(gapBox.height - 1);
    // A resize would end the drag: this state is looked at in the one size it is in.
    await screenshotAsIs(page, '16-board-dragging');
    await page.mouse.up();

    const menu = page.getByTestId('move-menu');
    await menu.waitFor();
    await screenshot(page, '16-board-drop-reason');
    expect(await menu.getByRole('radio', { name: /Selected/ }).isChecked()).toBe(true);
    await menu.getByLabel('Reason (optional)').fill('met at the open evening');
    await menu.getByRole('button', { name: 'Move to Selected' }).click();
    await page.locator(`[data-testid="column-selected"] #${id}`).waitFor();
    const history = await app.call('champion.history', { id: id.replace(/^card-/, '') });
    expect(history.changes.at(-1)).toMatchObject({ to_stage: 'selected', reason: 'met at the open evening' });
    await waitForSync(app, 60_000);
  });

  it('finds cards by name, and each column shows its count and median time in stage', async () => {
    const { page } = app;
    const board = await app.call('board.get', { cohortId: null });
    const someone = board.columns.find((c) => c.stage === 'champion')!.cards[0]!;
    const surname = someone.userName!.split(' ').at(-1)!;
    for (const stage of ['candidate', 'selected', 'champion', 'alumni']) {
      expect(await page.getByTestId(`metric-${stage}`).textContent()).toMatch(/median .*(day|month|year|today)/);
    }
    await page.getByLabel('Find a card').fill(surname);
    await expect.poll(async () => (await page.getByTestId('champion-card').allTextContents()).every((t) => t.includes(surname))).toBe(true);
    expect(await page.locator(`#card-${someone.champion.id}`).count()).toBe(1);
    await screenshot(page, '17-board-search');
    await page.getByLabel('Find a card').fill('');
  });

  it('Remove candidate asks first; Keep leaves the card, Remove takes it off the board', async () => {
    const { page } = app;
    const card = page.locator('[data-testid="column-candidate"] [data-testid="champion-card"]').first();
    const id = (await card.getAttribute('id'))!;
    const before = await count('candidate');
    await card.click();
    const detail = page.getByTestId('card-detail');
    await detail.getByRole('button', { name: 'Remove candidate' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    expect(await confirm.textContent()).toMatch(/Remove .+ from the candidates\?/);
    await screenshot(page, '18-remove-candidate-confirm');
    expect(await count('candidate')).toBe(before);
    await confirm.getByRole('button', { name: 'Keep' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await count('candidate')).toBe(before);
    expect(await page.locator(`#${id}`).count()).toBe(1);

    await detail.getByRole('button', { name: 'Remove candidate' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await expect.poll(() => count('candidate')).toBe(before - 1);
    expect(await page.locator(`#${id}`).count()).toBe(0);
  });

  it('Add a candidate marks people already in that pipeline, and problems read as plain words beside the member', async () => {
    const { page } = app;
    const board = await app.call('board.get', { cohortId: null });
    const inPipeline = board.columns.find((c) => c.stage === 'selected')!.cards[0]!;
    await page.getByRole('button', { name: 'Add a candidate' }).click();
    const dialog = page.getByTestId('add-candidate');
    await dialog.getByLabel('Member', { exact: true }).fill(inPipeline.userName!);
    const option = dialog.getByRole('option').filter({ hasText: inPipeline.userEmail! }).first();
    await option.waitFor();
    expect(await option.textContent()).toMatch(/Already .*Selected/i);
    expect(await option.getAttribute('aria-disabled')).toBe('true');
    await option.dispatchEvent('click');
    expect(await dialog.getByLabel('Member', { exact: true }).count()).toBe(1);
    await screenshot(page, '19-add-candidate-marked');
    await page.keyboard.press('Escape');

    // The core's own refusal, had it been asked, reads as plain words beside the member too.
    const r = await app.host.core.dispatch('champion.create', { userId: inPipeline.champion.user_id, cohortId: null, notes: '' });
    expect(r).toMatchObject({ ok: false, error: { field: 'userId' } });
  });

  it('at 1024 px wide the whole board is in view, last column included', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      const last = (await page.getByTestId('column-alumni').boundingBox())!;
      expect(last.x + last.width).toBeLessThanOrEqual(1024);
      expect(await page.getByTestId('board').evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('shows no stage history in the future', async () => {
    const { page } = app;
    const board = await app.call('board.get', { cohortId: null });
    let latest: { id: string; at: string } | null = null;
    for (const card of board.columns.flatMap((c) => c.cards)) {
      const h = await app.call('champion.history', { id: card.champion.id });
      const at = h.changes.filter((c) => !c.pending).at(-1)?.changed_at;
      if (at && (!latest || at > latest.at)) latest = { id: card.champion.id, at };
    }
    expect(latest).not.toBeNull();
    expect(Date.parse(latest!.at)).toBeLessThanOrEqual(Date.now());
    await page.locator(`#card-${latest!.id}`).click();
    await page.getByTestId('card-detail').locator('.history time').first().waitFor();
    const times = await page
      .getByTestId('card-detail')
      .locator('.history time')
      .evaluateAll((els) => els.map((e) => e.getAttribute('datetime')!));
    expect(times.length).toBeGreaterThan(0);
    for (const t of times) expect(Date.parse(t)).toBeLessThanOrEqual(Date.now());
    await page.keyboard.press('Escape');
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
