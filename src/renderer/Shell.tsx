import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { AuthStatus } from '../shared/ipc.js';
import { call } from './lib/api.js';
import { qk } from './lib/queryKeys.js';
import { useNavigation, type ScreenName } from './lib/navigation.js';
import { ShellActionsContext, type ShellActions } from './lib/shellActions.js';
import { Icon, type IconName } from './components/Icon.js';
import { SyncStatusPanel } from './components/SyncStatusPanel.js';
import { CommandPalette } from './components/CommandPalette.js';
import { RecordActionDialog } from './components/RecordActionDialog.js';
import { AddCandidateDialog } from './components/AddCandidateDialog.js';
import { PeopleScreen } from './screens/PeopleScreen.js';
import { MemberScreen } from './screens/MemberScreen.js';
import { ActivityScreen } from './screens/ActivityScreen.js';
import { ChampionsScreen } from './screens/ChampionsScreen.js';
import { SyncScreen } from './screens/SyncScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { CohortsScreen } from './screens/CohortsScreen.js';
import { CohortScreen } from './screens/CohortScreen.js';
import { ShortcutSheet } from './components/ShortcutSheet.js';
import { HostLostBanner } from './components/HostStatus.js';
import { NoticeBanner } from './components/NoticeBanner.js';
import { useHostState } from './lib/hostConnection.js';
import { isTypingTarget } from './lib/keyboard.js';

const NAV: { screen: Exclude<ScreenName, 'member' | 'cohort'>; label: string; icon: IconName }[] = [
  { screen: 'people', label: 'People', icon: 'people' },
  { screen: 'cohorts', label: 'Cohorts', icon: 'cohorts' },
  { screen: 'activity', label: 'Recent activity', icon: 'activity' },
  { screen: 'champions', label: 'Champions', icon: 'champions' },
  { screen: 'sync', label: 'Sync', icon: 'sync' },
  { screen: 'settings', label: 'Settings', icon: 'settings' },
];

type OpenDialog =
  | { kind: 'none' }
  | { kind: 'palette' }
  | { kind: 'shortcuts' }
  | { kind: 'record'; userId: string | undefined }
  | { kind: 'candidate'; cohortId: string | null; user: { id: string; name: string } | undefined };

export function Shell({ auth }: { auth: AuthStatus }) {
  const { route, entry, go } = useNavigation();
  const host = useHostState();
  const [dialog, setDialog] = useState<OpenDialog>({ kind: 'none' });
  const status = useQuery({ queryKey: qk.syncStatus(), queryFn: () => call('sync.status', {}) });

  const actions: ShellActions = useMemo(
    () => ({
      recordAction: (userId) => setDialog({ kind: 'record', userId }),
      addCandidate: (opts) => setDialog({ kind: 'candidate', cohortId: opts?.cohortId ?? null, user: opts?.user }),
      openPalette: () => setDialog({ kind: 'palette' }),
    }),
    [],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setDialog((d) => (d.kind === 'palette' ? { kind: 'none' } : { kind: 'palette' }));
      } else if (e.key === '?' && !isTypingTarget(e.target) && document.querySelector('dialog[open]') === null) {
        e.preventDefault();
        setDialog({ kind: 'shortcuts' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const close = () => setDialog({ kind: 'none' });
  const active = route.screen === 'member' ? 'people' : route.screen === 'cohort' ? 'cohorts' : route.screen;
  const conflicts = status.data?.conflicts ?? 0;

  return (
    <ShellActionsContext.Provider value={actions}>
      <div className="shell">
        <aside className="sidebar" aria-label="Main">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              AfH
            </span>
            <div>
              <div className="brand-name">AfH Coordinator</div>
              <div className="brand-user">{auth.user?.name ?? ''}</div>
            </div>
          </div>
          <nav className="nav">
            <ul>
              {NAV.map((item) => (
                <li key={item.screen}>
                  <button
                    type="button"
                    className={active === item.screen ? 'nav-item active' : 'nav-item'}
                    aria-current={active === item.screen ? 'page' : undefined}
                    onClick={() => go({ screen: item.screen })}
                  >
                    <Icon name={item.icon} />
                    {item.label}
                    {item.screen === 'sync' && conflicts > 0 ? (
                      <span className="nav-count" aria-label={`${conflicts} conflicts`}>
                        {conflicts}
                      </span>
                    ) : null}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          <button type="button" className="palette-hint" onClick={actions.openPalette}>
            Commands <kbd>Ctrl K</kbd>
          </button>
          <SyncStatusPanel />
        </aside>
        <main className="content" id="main">
          {host === 'lost' ? <HostLostBanner /> : null}
          <NoticeBanner />
          {/* Keyed by history entry: Back and Forward show a screen as that entry had it. */}
          {route.screen === 'people' && <PeopleScreen key={entry} />}
          {route.screen === 'member' && <MemberScreen key={`${entry}-${route.id}`} id={route.id} />}
          {route.screen === 'activity' && <ActivityScreen key={entry} />}
          {route.screen === 'champions' && <ChampionsScreen key={entry} initialCohortId={route.cohortId ?? null} />}
          {route.screen === 'cohorts' && <CohortsScreen key={entry} />}
          {route.screen === 'cohort' && <CohortScreen key={`${entry}-${route.id}`} id={route.id} />}
          {route.screen === 'sync' && <SyncScreen />}
          {route.screen === 'settings' && <SettingsScreen auth={auth} />}
        </main>
      </div>
      {dialog.kind === 'palette' && <CommandPalette onClose={close} />}
      {dialog.kind === 'shortcuts' && <ShortcutSheet onClose={close} />}
      {dialog.kind === 'record' && <RecordActionDialog userId={dialog.userId} onClose={close} />}
      {dialog.kind === 'candidate' && <AddCandidateDialog cohortId={dialog.cohortId} user={dialog.user} onClose={close} />}
    </ShellActionsContext.Provider>
  );
}
