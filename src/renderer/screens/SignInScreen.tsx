import { useId, useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuthStatus } from '../../shared/ipc.js';
import { call, problemOf } from '../lib/api.js';
import { EMAIL_MAX, PASSWORD_MAX } from '../../shared/limits.js';
import { FieldError } from '../components/FieldError.js';
import { qk } from '../lib/queryKeys.js';
import { FormError } from '../components/FormFooter.js';
import { NoticeBanner } from '../components/NoticeBanner.js';

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
  const problem = signIn.isError ? problemOf(signIn.error) : null;
  const FIELDS = ['serverUrl', 'email', 'password'];
  const fieldProblem = (name: string) => (problem?.field === name ? problem.text : null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // A new session starts on People, not on whichever screen the last one was left at (set now:
    // the core's auth event may show the signed-in app before this call's answer arrives).
    window.history.replaceState({ idx: 0 }, '', '#/people');
    signIn.mutate();
  };

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            AfH
          </span>
          <div>
            <h1 id="signin-title">Sign in</h1>
            <div className="muted">Action for Happiness · Coordinator</div>
          </div>
        </div>
        {/* Why this laptop's data was removed (an administrator signed it out, the role ended). */}
        {auth.notice ? <NoticeBanner /> : null}
        <SignInField
          label="Server address"
          name="serverUrl"
          type="url"
          value={url}
          onChange={(e) => setServerUrl(e.target.value)}
          placeholder="https://api.example.org"
          maxLength={500}
          problem={fieldProblem('serverUrl')}
        />
        <SignInField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          maxLength={EMAIL_MAX}
          problem={fieldProblem('email')}
          autoFocus
        />
        <SignInField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          maxLength={PASSWORD_MAX}
          problem={fieldProblem('password')}
        />
        <FormError message={problem && !FIELDS.includes(problem.field ?? '') ? problem.text : null} testId="signin-error" />
        <button type="submit" className="btn btn-primary btn-block" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">Your work is kept on this laptop and syncs with the server whenever it can be reached.</p>
      </form>
    </div>
  );
}

/** A required sign-in input under its visible label, with the problem the core named for it right under it. */
function SignInField({ label, problem, ...input }: { label: string; name: string; problem: string | null } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input {...input} id={`${id}-input`} aria-invalid={problem ? true : undefined} aria-describedby={problem ? id : undefined} required />
      <FieldError id={id} message={problem} testId="signin-error" />
    </div>
  );
}
