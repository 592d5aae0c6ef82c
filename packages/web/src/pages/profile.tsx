import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { User, UserUpdate } from '@vigil/sdk/contract';
import { type FormEvent, useState } from 'react';
import { vigil } from '../api.js';
import { ConfirmButton } from '../components/common.js';
import { Flash, NameEmailFields, TimeZoneInput, useFlash } from '../components/people-common.js';
import { ContactMethods, NotificationRules, PagingChecklist } from '../components/people-contact.js';
import { ApiKeysSection } from '../components/people-keys.js';
import { PushSection } from '../components/people-push.js';
import { CalendarFeed, MyShifts } from '../components/people-shifts.js';
import { type SessionInfo, useSession, useSignOut } from '../session.js';
import { ErrorBox, Field, PageHead } from '../ui.js';

/**
 * My profile: who I am, how Vigil reaches me (contact methods, push, rules, quiet hours), when I am on
 * call, my password, my API keys and my sessions.
 */
export default function ProfilePage() {
  const { user } = useSession();
  return (
    <>
      <PageHead title="My profile">
        <span className="badge neutral">{user.role}</span>
      </PageHead>
      <nav className="people-toc small" aria-label="Sections">
        <a href="#profile-details">Details</a>
        <a href="#paging">Getting paged</a>
        <a href="#quiet-hours">Quiet hours</a>
        <a href="#shifts">My shifts</a>
        <a href="#password">Password</a>
        <a href="#api-keys">API keys</a>
        <a href="#sessions">Sign out everywhere</a>
      </nav>

      <Details key={user.id} user={user} />

      <div id="paging" className="people-anchor">
        <h2>Getting paged</h2>
        <PagingChecklist userId={user.id} />
        <ContactMethods userId={user.id} canEdit />
        <PushSection userId={user.id} />
        <NotificationRules userId={user.id} canEdit />
        <QuietHours key={user.id} user={user} />
      </div>

      <MyShifts userId={user.id} />
      <CalendarFeed userId={user.id} />
      <Password user={user} />
      <ApiKeysSection />
      <Sessions />
    </>
  );
}

/** Saves a change to the signed-in person and puts the answer in the session, which every screen reads. */
function useUpdateMe(userId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserUpdate) => vigil.users.update(userId, body),
    onSuccess: (updated: User) => {
      client.setQueryData<SessionInfo | null>(['session'], (session) =>
        session ? { ...session, user: updated } : session,
      );
      void client.invalidateQueries({ queryKey: ['users'] });
    },
  });
}

function Details({ user }: { user: User }) {
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [zone, setZone] = useState(user.time_zone);
  const [flash, setFlash] = useFlash();
  const save = useUpdateMe(user.id);
  const changed: UserUpdate = {
    ...(name.trim() !== user.name ? { name: name.trim() } : {}),
    ...(email.trim().toLowerCase() !== user.email ? { email: email.trim() } : {}),
    ...(zone.trim() !== user.time_zone ? { time_zone: zone.trim() } : {}),
  };
  const dirty = Object.keys(changed).length > 0;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (dirty) save.mutate(changed, { onSuccess: () => setFlash('Saved') });
  }

  return (
    <section className="panel people-anchor" aria-labelledby="details-title" id="profile-details">
      <h2 id="details-title" className="people-panel-title">
        Details
      </h2>
      <form className="stack" onSubmit={submit}>
        <div className="people-form-grid">
          <NameEmailFields name={name} onName={setName} email={email} onEmail={setEmail} own />
          <Field label="Time zone">
            <TimeZoneInput id="profile-zone" value={zone} onChange={setZone} required />
          </Field>
        </div>
        <p className="small muted" style={{ margin: 0 }}>
          Your time zone sets when your quiet hours are. Your e-mail is also how you sign in.
        </p>
        <div className="row">
          <button type="submit" className="primary" disabled={!dirty || save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          <Flash text={flash} />
        </div>
        <ErrorBox error={save.error} />
      </form>
    </section>
  );
}

function QuietHours({ user }: { user: User }) {
  const [on, setOn] = useState(user.quiet_hours !== null);
  const [start, setStart] = useState(user.quiet_hours?.start ?? '22:00');
  const [end, setEnd] = useState(user.quiet_hours?.end ?? '07:00');
  const [flash, setFlash] = useFlash();
  const save = useUpdateMe(user.id);
  const next = on ? { start, end } : null;
  const dirty = JSON.stringify(next) !== JSON.stringify(user.quiet_hours);

  return (
    <section className="panel people-anchor" aria-labelledby="quiet-title" id="quiet-hours">
      <h2 id="quiet-title" className="people-panel-title">
        Quiet hours
      </h2>
      <p className="small muted">
        Low-urgency pages that arrive inside these hours wait until they end. High-urgency pages always go
        through. Times are in your zone, {user.time_zone}.
      </p>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ quiet_hours: next }, { onSuccess: () => setFlash('Saved') });
        }}
      >
        <label className="check">
          <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} /> Turn on quiet hours
        </label>
        {on ? (
          <div className="row">
            <Field label="From">
              <input type="time" value={start} onChange={(e) => setStart(e.target.value)} required />
            </Field>
            <Field label="Until">
              <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} required />
            </Field>
          </div>
        ) : null}
        <div className="row">
          <button
            type="submit"
            className="primary"
            disabled={!dirty || save.isPending || (on && start === end)}
          >
            {save.isPending ? 'Saving…' : 'Save quiet hours'}
          </button>
          <Flash text={flash} />
        </div>
        {on && start === end ? <p className="small muted">“From” and “Until” must differ.</p> : null}
        <ErrorBox error={save.error} />
      </form>
    </section>
  );
}

function Password({ user }: { user: User }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const save = useUpdateMe(user.id);
  const mismatch = again !== '' && next !== again;
  const short = next !== '' && next.length < 12;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch || short) return;
    setDone(false);
    save.mutate(
      { password: next, ...(user.has_password ? { current_password: current } : {}) },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setAgain('');
          setDone(true);
        },
      },
    );
  }

  return (
    <section className="panel people-anchor" aria-labelledby="password-title" id="password">
      <h2 id="password-title" className="people-panel-title">
        Password
      </h2>
      <form className="stack" onSubmit={submit}>
        {/* For password managers: which account this password belongs to. */}
        <input type="text" name="username" autoComplete="username" value={user.email} readOnly hidden />
        {!user.has_password ? (
          <p className="small muted" style={{ margin: 0 }}>
            You have no password yet; set one to sign in to the web app with your e-mail.
          </p>
        ) : null}
        <div className="people-form-grid">
          {user.has_password ? (
            <Field label="Current password">
              <input
                type="password"
                value={current}
                onChange={(e) => setCurrent(e.target.value)}
                autoComplete="current-password"
                required
              />
            </Field>
          ) : null}
          <Field label="New password">
            <input
              type="password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              autoComplete="new-password"
              minLength={12}
              maxLength={1024}
              required
              aria-describedby="password-help"
            />
          </Field>
          <Field label="New password again">
            <input
              type="password"
              value={again}
              onChange={(e) => setAgain(e.target.value)}
              autoComplete="new-password"
              required
            />
          </Field>
        </div>
        <p id="password-help" className="small muted" style={{ margin: 0 }}>
          At least 12 characters; a few unrelated words make a good one. Changing it signs out your other
          browsers.
        </p>
        {short ? <p className="small people-warn">The new password is shorter than 12 characters.</p> : null}
        {mismatch ? <p className="small people-warn">The two new passwords differ.</p> : null}
        <div className="row">
          <button type="submit" className="primary" disabled={save.isPending || !next || mismatch || short}>
            {save.isPending ? 'Changing…' : 'Change password'}
          </button>
          {done ? (
            <span className="small people-ok" role="status">
              Password changed. Your other browsers were signed out.
            </span>
          ) : null}
        </div>
        <ErrorBox error={save.error} />
      </form>
    </section>
  );
}

function Sessions() {
  const signOut = useSignOut();
  const everywhere = useMutation({ mutationFn: () => signOut(true) });
  return (
    <section className="panel people-anchor" aria-labelledby="sessions-title" id="sessions">
      <h2 id="sessions-title" className="people-panel-title">
        Sign out everywhere
      </h2>
      <p className="small muted">
        Lost a phone or signed in on a shared computer? This ends every session of yours, this one too. API
        keys keep working; revoke them above.
      </p>
      <ConfirmButton
        label="Sign out everywhere"
        question="Sign out on every device, this one included?"
        confirmLabel="Sign out everywhere now"
        busy={everywhere.isPending}
        onConfirm={() => everywhere.mutate()}
      />
      <ErrorBox error={everywhere.error} />
    </section>
  );
}
