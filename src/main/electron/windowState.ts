import { readFileSync, writeFileSync } from 'node:fs';
import { screen, type BrowserWindow, type Rectangle } from 'electron';
import { z } from 'zod';

// The window comes back where the coordinator left it, unless that place is no longer on
// any screen (a monitor unplugged since), in which case it opens at the default size.

const WindowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean(),
});
type WindowState = z.infer<typeof WindowState>;

export const DEFAULT_BOUNDS = { width: 1280, height: 820 };

function visibleOnSomeDisplay(b: Rectangle): boolean {
  return screen.getAllDisplays().some(({ workArea: w }) => {
    const overlapX = Math.min(b.x + b.width, w.x + w.width) - Math.max(b.x, w.x);
    const overlapY = Math.min(b.y + b.height, w.y + w.height) - Math.max(b.y, w.y);
    return overlapX >= 100 && overlapY >= 50;
  });
}

export function loadWindowState(file: string): WindowState | null {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success || !visibleOnSomeDisplay(parsed.data)) return null;
    return parsed.data;
  } catch {
    return null;
  }
}

/** Saves the bounds on move/resize (debounced) and on close. */
export function trackWindowState(win: BrowserWindow, file: string): void {
  let timer: NodeJS.Timeout | null = null;
  const save = (): void => {
    if (win.isDestroyed()) return;
    const maximized = win.isMaximized();
    const b = maximized ? win.getNormalBounds() : win.getBounds();
    try {
      writeFileSync(file, JSON.stringify({ ...b, maximized } satisfies WindowState));
    } catch (err) {
      console.warn('[afh] could not save the window position:', err);
    }
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}
