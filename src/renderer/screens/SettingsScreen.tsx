import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuthStatus, Settings } from '../../shared/ipc.js';
import { call, CallError, errorText } from '../lib/api.js';
import { relativeTime } from '../lib/dates.js';
import { qk } from '../lib/queryKeys.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorState, Loading } from '../components/States.js';
import { TimeZoneSetting } from '../components/TimeZoneSetting.js';
import { YourCommunities } from '../components/YourCommunities.js';

const TOKEN_STORAGE: Record<string, string> = {
  safeStorage: 'Encrypted by the operating system',
  'plain-file': 'A file readable only by you (encryption is not available here)',
  memory: 'Kept in memory only: you sign in again after a restart',
};

export function SettingsScreen({ auth }: { auth: AuthStatus }) {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: qk.settings(), queryFn: () => call('settings.get', {}) });
  const [confirmReset, setConfirmReset] = useState(false);
  const signOut = useMutation({
    mutationFn: () => call('auth.signOut', {}),
    onSuccess: (status) => client.setQueryData(qk.authStatus(), status),
  });
  const resync = useMutation({
    mutationFn: () => call('sync.fullResync', {}),
    onSuccess: (status) => client.setQueryData(qk.syncStatus(), status),
  });
  const reset = useMutation({
    mutationFn: () => call('settings.resetLocalData', { confirm: true }),
    onSuccess: () => {
      setConfirmReset(false);
      // Every cached answer came from the erased database.
      void client.invalidateQueries();
    },
  });
  return (
    <div className="screen screen-settings">
      <header className="screen-header">
        <h1>Settings</h1>
      </header>
      <section className="panel" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <dl className="kv">
          <dt>Signed in as</dt>
          <dd>{auth.user ? `${auth.user.name} <${auth.user.email}>` : '—'}</dd>
          <dt>Server</dt>
          <dd>{auth.serverUrl ?? settings.data?.serverUrl ?? '—'}</dd>
          <dt>Sign-in kept</dt>
          <dd>{settings.data ? TOKEN_STORAGE[settings.data.tokenStorage] : '…'}</dd>
        </dl>
        {settings.data && settings.data.keepSignInOnDisk !== null ? <KeepSignInChoice keep={settings.data.keepSignInOnDisk} /> : null}
        {signOut.isError ? <div className="form-error">{errorText(signOut.error)}</div> : null}
        <div className="button-row">
          <button type="button" className="btn" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
            Sign out
          </button>
          <SignOutAndRemove />
        </div>
        <p className="muted small">
          Signing out keeps changes not yet synced on this laptop; they are sent after you sign in again. “Sign out and remove this laptop’s data”
          sends them first, then deletes every member, action and card stored here.
        </p>
      </section>
      <YourCommunities />
      <YourDevices />
      <TimeZoneSetting />
      <section className="panel" aria-labelledby="data-title">
        <h2 id="data-title">Local data</h2>
        {settings.isPending ? (
          <Loading />
        ) : settings.isError ? (
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        ) : (
          <dl className="kv">
            <dt>Data location</dt>
            <dd>
              <code data-testid="data-location">{settings.data.dataLocation}</code>
            </dd>
            <dt>This laptop’s id</dt>
            <dd>
              <code>{settings.data.clientId}</code>
            </dd>
          </dl>
        )}
        <div className="button-row">
          <button type="button" className="btn" disabled={resync.isPending} onClick={() => resync.mutate()}>
            {resync.isPending ? 'Resyncing…' : 'Full resync'}
          </button>
          <button type="button" className="btn btn-danger" onClick={() => setConfirmReset(true)}>
            Reset local data…
          </button>
        </div>
        {resync.isError ? <div className="form-error">{errorText(resync.error)}</div> : null}
        <p className="muted small">
          Full resync downloads everything again and keeps your unsynced changes. Reset erases this laptop’s copy, including changes not yet synced.
        </p>
      </section>
      {confirmReset ? (
        <Dialog title="Reset local data?" onClose={() => setConfirmReset(false)}>
          <p>
            This erases every member, action and champion card stored on this laptop, and any change not yet sent to the server. You will need to sign
            in and download everything again.
          </p>
          {reset.isError ? <div className="form-error">{errorText(reset.error)}</div> : null}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setConfirmReset(false)} data-autofocus>
              Cancel
            </button>
            <button type="button" className="btn btn-danger" disabled={reset.isPending} onClick={() => reset.mutate()}>
              Erase local data
            </button>
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}

/** Only where the computer has no keyring to encrypt the sign-in (Linux without one): the coordinator decides. */
function KeepSignInChoice({ keep }: { keep: boolean }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: (next: boolean) => call('settings.setKeepSignInOnDisk', { keep: next }),
    onSuccess: (next: Settings) => client.setQueryData(qk.settings(), next),
  });
  return (
    <div className="keep-sign-in">
      <label className="check-row">
        <input type="checkbox" checked={keep} disabled={change.isPending} onChange={(e) => change.mutate(e.target.checked)} />
        Keep me signed in after the app restarts
      </label>
      <p className="muted small">
        This computer has no password keyring, so the app cannot encrypt your sign-in. Unticked, it is forgotten when the app closes and you sign in
        again next time. Ticked, it is saved in a file that only your account on this computer can read; anyone who gets a copy of your files (for
        example from a lost laptop without disk encryption) could use it until it expires.
      </p>
      {change.isError ? <div className="form-error">{errorText(change.error)}</div> : null}
    </div>
  );
}

/** Sign out and delete this laptop's copy; changes that cannot be sent are removed only after the coordinator confirms how many. */
function SignOutAndRemove() {
  const client = useQueryClient();
  const [confirm, setConfirm] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (discardPending: boolean) => call('auth.signOutAndRemoveData', { discardPending }),
    onSuccess: (status: AuthStatus) => {
      setConfirm(null);
      client.setQueryData(qk.authStatus(), status);
      void client.invalidateQueries();
    },
    onError: (err) => {
      // Changes still waiting: ask, naming how many (the core's message says it).
      if (err instanceof CallError && err.code === 'conflict' && err.field === 'discardPending') setConfirm(err.message);
    },
  });
  const refusedForPending = remove.error instanceof CallError && remove.error.field === 'discardPending';
  return (
    <>
      <button type="button" className="btn btn-danger" disabled={remove.isPending} onClick={() => remove.mutate(false)}>
        {remove.isPending ? 'Sending changes…' : 'Sign out and remove this laptop’s data'}
      </button>
      {remove.isError && !refusedForPending ? <div className="form-error">{errorText(remove.error)}</div> : null}
      {confirm ? (
        <Dialog title="Remove changes not yet sent?" onClose={() => setConfirm(null)}>
          <p>{confirm}</p>
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setConfirm(null)} data-autofocus>
              Cancel
            </button>
            <button type="button" className="btn btn-danger" disabled={remove.isPending} onClick={() => remove.mutate(true)}>
              Remove them too
            </button>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}

/** The coordinator's sessions, one per device, from the server; another device can be signed out from here. */
function YourDevices() {
  const client = useQueryClient();
  const devices = useQuery({ queryKey: qk.devices(), queryFn: () => call('devices.list', {}), retry: false });
  const signOutDevice = useMutation({
    mutationFn: (id: string) => call('devices.signOut', { id }),
    onSuccess: (list) => client.setQueryData(qk.devices(), list),
  });
  return (
    <section className="panel" aria-labelledby="devices-title">
      <h2 id="devices-title">Your devices</h2>
      {devices.isPending ? (
        <Loading />
      ) : devices.isError ? (
        <ErrorState error={devices.error} onRetry={() => void devices.refetch()} />
      ) : (
        <ul className="device-list" data-testid="devices">
          {devices.data.sessions.map((d) => (
            <li key={d.id}>
              <div>
                <strong>{d.deviceName ?? 'A device without a name'}</strong>
                {d.current ? <span className="muted"> · this laptop</span> : null}
                <div className="muted small">Last used {relativeTime(d.lastUsedAt, Date.now())}</div>
              </div>
              {d.current ? null : (
                <button type="button" className="btn btn-small" disabled={signOutDevice.isPending} onClick={() => signOutDevice.mutate(d.id)}>
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {signOutDevice.isError ? <div className="form-error">{errorText(signOutDevice.error)}</div> : null}
      <p className="muted small">
        Every computer signed in to your account. A sign-in unused for 14 days ends by itself. If a laptop is lost, ask an administrator to revoke it:
        its copy of the data is then removed the next time it connects.
      </p>
    </section>
  );
}
