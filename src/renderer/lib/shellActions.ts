import { createContext, useContext } from 'react';

/** Dialogs any screen (or the command palette) can open. */
export interface ShellActions {
  recordAction(userId?: string): void;
  addCandidate(opts?: { cohortId?: string | null; user?: { id: string; name: string } }): void;
  openPalette(): void;
}

export const ShellActionsContext = createContext<ShellActions | null>(null);

export function useShellActions(): ShellActions {
  const actions = useContext(ShellActionsContext);
  if (!actions) throw new Error('useShellActions outside Shell');
  return actions;
}
