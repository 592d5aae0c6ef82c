import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { setCsrfToken, vigil } from '../api.js';
import type { SessionInfo } from '../session.js';
import { ErrorBox, Field } from '../ui.js';

/** Where to go after signing in: only a path on this site (never an open redirect). */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [mode, setMode] = useState<'login' | 'forgot' | 'sent'>('login');

  async function signIn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const session = await vigil.request<SessionInfo>('POST', '/auth/login', {
        body: { email: form.get('email'), password: form.get('password') },
      });
      setCsrfToken(session.csrf_token);
      client.setQueryData(['session'], session);
      window.history.replaceState(null, '', nextPath());
      window.dispatchEvent(new PopStateEvent('popstate'));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function forgot(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await vigil.request('POST', '/auth/password-reset', { body: { email: form.get('email') } });
      setMode('sent');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="center-card panel" id="main">
      <h1>Vigil</h1>
      {mode === 'login' && (
        <form className="stack" onSubmit={signIn}>
          <Field label="E-mail">
            <input name="email" type="email" autoComplete="username" required />
          </Field>
          <Field label="Password">
            <input name="password" type="password" autoComplete="current-password" required />
          </Field>
          <ErrorBox error={error} />
          <button className="primary" type="submit" disabled={busy}>
            Sign in
          </button>
          <button className="link small" type="button" onClick={() => setMode('forgot')}>
            Forgot your password?
          </button>
        </form>
      )}
      {mode === 'forgot' && (
        <form className="stack" onSubmit={forgot}>
          <p className="muted small">
            We will e-mail you a link to choose a new password. It works for one hour.
          </p>
          <Field label="E-mail">
            <input name="email" type="email" autoComplete="username" required />
          </Field>
          <ErrorBox error={error} />
          <button className="primary" type="submit" disabled={busy}>
            Send the link
          </button>
          <button className="link small" type="button" onClick={() => setMode('login')}>
            Back to sign in
          </button>
        </form>
      )}
      {mode === 'sent' && (
        <div className="stack">
          <p>If that address belongs to someone here, a link is on its way. Check your e-mail.</p>
          <Link href="/login" onClick={() => setMode('login')}>
            Back to sign in
          </Link>
        </div>
      )}
    </main>
  );
}
