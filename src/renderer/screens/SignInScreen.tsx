import { useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuthStatus } from '../../shared/ipc.js';
import { call, CallError } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { failureText, FormError } from '../components/FormFooter.js';

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
        <SignInField
          label="Server address"
          name="serverUrl"
          type="url"
          value={url}
          onChange={(e) => setServerUrl(e.target.value)}
          placeholder="https://api.example.org"
          invalid={field === 'serverUrl'}
        />
        <SignInField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          invalid={field === 'email'}
          autoFocus
        />
        <SignInField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          invalid={field === 'password'}
        />
        <FormError message={failureText(signIn)} testId="signin-error" />
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

/** A required sign-in input under its visible label, marked invalid when the server named its field. */
function SignInField({
  label,
  invalid,
  ...input
}: { label: string; name: string; invalid: boolean } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} aria-invalid={invalid || undefined} required />
    </label>
  );
}
