import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { openSyncedApps, pullEverything, screenshot, serverLogin, waitForSync, type AppClient, type Stack, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

// Issue 15 (Sync screen: the list of pending changes) and issue 11 (discard one without losing
// the others): what, about whom with a link, when; Discard asks first, undoes the change here,
// and the other changes still reach the server.
describe.skipIf(!hasChromium)('the Sync screen lists pending changes and discards one', () => {
  let env: SyncedApps<'laptop'>;
  let stack: Stack;
  let app: AppClient;

  beforeAll(async () => {
    env = await openSyncedApps({ laptop: 'a' });
    ({
      stack,
      apps: { laptop: app },
    } = env);
  });
  afterAll(() => env?.close());

  it('shows what, about whom and when; Discard confirms, undoes it here, and the other change still syncs', async () => {
    const { page } = app;
    const board = await app.call('board.get', { cohortId: null });
    const cards = board.columns.flatMap((c) => c.cards);
    const [first, second] = [cards[0]!, cards[1]!];
    const discardedText = `Discard me ${Date.now()}`;
    const keptText = `Keep me ${Date.now()}`;

    await stack.stopServer();
    await app.call('champion.setNotes', { id: first.champion.id, notes: discardedText });
    await app.call('champion.setNotes', { id: second.champion.id, notes: keptText });

    await page.getByRole('navigation').getByRole('button', { name: /^Sync/ }).click();
    const panel = page.getByTestId('pending-changes');
    const items = panel.getByTestId('pending-item');
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(2);
    expect(await items.nth(0).textContent()).toContain(first.userName ?? '');
    expect(await items.nth(1).textContent()).toContain(second.userName ?? '');
    expect(await items.nth(0).textContent()).toContain('Change the notes');
    await screenshot(page, '60-sync-pending');

    await items
      .nth(0)
      .getByRole('button', { name: /^Discard/ })
      .click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(first.userName ?? '');
    await screenshot(page, '61-sync-discard-confirm');
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await dialog.waitFor({ state: 'detached' });
    await panel.getByTestId('pending-said').waitFor();
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(1);
    expect(await items.nth(0).textContent()).toContain(second.userName ?? '');
    const after = await app.call('board.get', { cohortId: null });
    const local = after.columns.flatMap((c) => c.cards).find((c) => c.champion.id === first.champion.id);
    expect(local?.champion.notes).toBe(first.champion.notes);

    await stack.restartServer();
    await app.call('sync.now', {});
    await waitForSync(app);
    await panel.getByText('Nothing pending').waitFor({ timeout: 60_000 });
    const token = await serverLogin(stack.serverUrl);
    const rows = await pullEverything(stack.serverUrl, token);
    const champ = (id: string) =>
      rows.filter((r) => r.table === 'champion' && r.op === 'upsert' && (r.row as { id: string }).id === id).at(-1)?.row as
        { notes: string } | undefined;
    expect(champ(second.champion.id)?.notes).toBe(keptText);
    expect(champ(first.champion.id)?.notes).toBe(first.champion.notes);
  });

  it('lists a pulled row this laptop cannot store in plain words, and the rest of the sync goes on', async () => {
    const { page } = app;
    // A server without the storable CHECKs (an older or another implementation) holds a member with an empty name.
    await stack.server!.admin.database.write(async (tx) => {
      await tx.rows(sql`ALTER TABLE "user" DROP CONSTRAINT user_name_storable`);
      await tx.rows(
        sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_e2e_empty', 'empty-name@example.org', '', '["student"]'::jsonb, now())`,
      );
      await tx.rows(
        sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_e2e_fine', 'fine@example.org', 'Quarantine Neighbour', '["student"]'::jsonb, now())`,
      );
    });
    await app.call('sync.now', {});
    await waitForSync(app);
    await page.getByRole('navigation').getByRole('button', { name: /^Sync/ }).click();
    const list = page.getByTestId('quarantine');
    await list.waitFor({ timeout: 60_000 });
    expect(await list.getByTestId('quarantine-item').first().textContent()).toContain(
      'The server sent a member this laptop cannot store: name must not be empty.',
    );
    expect(app.status()).toMatchObject({ phase: 'idle', error: null });
    const found = await app.call('people.search', { query: 'Quarantine Neighbour' });
    expect(found.items.map((m) => m.id)).toContain('usr_e2e_fine');
    await screenshot(page, '62-sync-quarantine');
  });
});
