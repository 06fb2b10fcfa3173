import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuthStatus } from '../../shared/ipc.js';
import { call, CallError, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';

export function SignInScreen({ auth }: { auth: AuthStatus }) {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: qk.settings(), queryFn: () => call('settings.get', {}) });
  const [serverUrl, setServerUrl] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const url = serverUrl ?? auth.serverUrl ?? settings.data?.serverUrl ?? '';

  const signIn = useMutation({
    mutationFn: () => call('auth.signIn', { serverUrl: url.trim(), email: email.trim(), password }),
    onSuccess: (status) => {
      client.setQueryData(qk.authStatus(), status);
      void client.invalidateQueries({ queryKey: qk.syncStatus() });
    },
  });
  const field = signIn.error instanceof CallError ? signIn.error.field : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">AfH</span>
          <div>
            <h1 id="signin-title">Sign in</h1>
            <div className="muted">Action for Happiness · Coordinator</div>
          </div>
        </div>
        <label className="field">
          <span>Server address</span>
          <input
            name="serverUrl"
            type="url"
            value={url}
            onChange={(e) => setServerUrl(e.target.value)}
            placeholder="https://api.example.org"
            aria-invalid={field === 'serverUrl' || undefined}
            required
          />
        </label>
        <label className="field">
          <span>Email</span>
          <input
            name="email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={field === 'email' || undefined}
            autoFocus
            required
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={field === 'password' || undefined}
            required
          />
        </label>
        {signIn.isError ? (
          <div className="form-error" role="alert" data-testid="signin-error">
            {errorText(signIn.error)}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          Your work is kept on this laptop and syncs with the server whenever it can be reached.
        </p>
      </form>
    </div>
  );
}
