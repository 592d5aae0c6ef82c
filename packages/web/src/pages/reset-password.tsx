import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { vigil } from '../api.js';
import { ErrorBox, Field } from '../ui.js';

export function ResetPasswordPage() {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get('password') !== form.get('again')) {
      setError(new Error('The two passwords differ'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await vigil.request('POST', '/auth/password-reset/confirm', {
        body: { token, password: form.get('password') },
      });
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="center-card panel" id="main">
      <h1>Choose a new password</h1>
      {done ? (
        <p>
          Your password is changed and every session was signed out. <Link href="/login">Sign in</Link>
        </p>
      ) : (
        <form className="stack" onSubmit={submit}>
          <Field label="New password (at least 12 characters)">
            <input name="password" type="password" autoComplete="new-password" minLength={12} required />
          </Field>
          <Field label="The same again">
            <input name="again" type="password" autoComplete="new-password" minLength={12} required />
          </Field>
          <ErrorBox error={error} />
          <button className="primary" type="submit" disabled={busy || !token}>
            Set the password
          </button>
          {!token && <p className="error">This link has no token; use the link from the e-mail.</p>}
        </form>
      )}
    </main>
  );
}
