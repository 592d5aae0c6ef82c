import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role, Team, TeamMember, User, UserCreate, UserUpdate } from '@vigil/sdk/contract';
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'wouter';
import { vigil } from '../api.js';
import { ConfirmButton, FilterField, ListTable } from '../components/common.js';
import {
  browserTimeZone,
  Flash,
  NameEmailFields,
  RoleSelect,
  roleRank,
  TimeZoneInput,
  useFlash,
} from '../components/people-common.js';
import { ContactMethods, NotificationRules } from '../components/people-contact.js';
import { isStatus, useTeams, useUsers } from '../data.js';
import { useCan, useSession } from '../session.js';
import { ErrorBox, Field, Loading, PageHead, when } from '../ui.js';

/**
 * People and teams: who is in Vigil and with which role (admins add, change and deactivate people,
 * and set up anyone's contact methods and rules), and the teams (managers create them and manage
 * their members). The selection lives in the URL (?user=…, ?tab=teams&team=…), so Back works.
 */
export default function PeoplePage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'teams' ? 'teams' : 'people';
  const userId = params.get('user');
  const teamId = params.get('team');
  const show = (next: Record<string, string>) => setParams(next);

  return (
    <>
      <PageHead title="People & teams" />
      <div className="tabs" role="tablist" aria-label="People or teams">
        <button
          type="button"
          role="tab"
          id="tab-people"
          aria-selected={tab === 'people'}
          aria-controls="panel-people"
          onClick={() => show({})}
        >
          People
        </button>
        <button
          type="button"
          role="tab"
          id="tab-teams"
          aria-selected={tab === 'teams'}
          aria-controls="panel-teams"
          onClick={() => show({ tab: 'teams' })}
        >
          Teams
        </button>
      </div>
      {tab === 'people' ? (
        <div role="tabpanel" id="panel-people" aria-labelledby="tab-people">
          {userId ? <UserDetail userId={userId} /> : <PeopleList />}
        </div>
      ) : (
        <div role="tabpanel" id="panel-teams" aria-labelledby="tab-teams">
          {teamId ? <TeamDetail teamId={teamId} /> : <TeamList />}
        </div>
      )}
    </>
  );
}

const userHref = (id: string) => `/people?user=${encodeURIComponent(id)}`;
const teamHref = (id: string) => `/people?tab=teams&team=${encodeURIComponent(id)}`;

// ── people ─────────────────────────────────────────────────────────────────────────────────────

function PeopleList() {
  const isAdmin = useCan('admin');
  const { user: me } = useSession();
  const users = useUsers();
  const [filter, setFilter] = useState('');
  const [adding, setAdding] = useState(false);
  const [, navigate] = useLocation();
  const needle = filter.trim().toLowerCase();
  const shown = (users.data ?? [])
    .filter(
      (u) =>
        !needle ||
        u.name.toLowerCase().includes(needle) ||
        u.email.includes(needle) ||
        u.role.includes(needle),
    )
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      {isAdmin && !adding ? (
        <div className="row" style={{ marginBottom: 12 }}>
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add person
          </button>
        </div>
      ) : null}
      {adding ? (
        <AddUser
          onCancel={() => setAdding(false)}
          onCreated={(user) => navigate(`${userHref(user.id)}&added=1`)}
        />
      ) : null}

      {users.isPending ? <Loading what="Loading people" /> : null}
      {isStatus(users.error, 403) ? (
        <p className="muted">Your role cannot see the list of people. Ask an admin.</p>
      ) : (
        <ErrorBox error={users.error} />
      )}

      {users.isSuccess ? (
        <>
          <div className="row" style={{ marginBottom: 10 }}>
            <FilterField
              label="Filter people"
              value={filter}
              onChange={setFilter}
              placeholder="Name, e-mail or role"
            />
            <span className="small muted right">
              {users.data.length} {users.data.length === 1 ? 'person' : 'people'}
            </span>
          </div>
          {shown.length === 0 ? (
            <p className="muted">{needle ? 'Nobody matches the filter.' : 'Nobody here yet.'}</p>
          ) : (
            <ListTable
              columns={[
                'Name',
                { label: 'E-mail', hidePhone: true },
                'Role',
                { label: 'Time zone', hidePhone: true },
              ]}
            >
              {shown.map((u) => (
                <tr key={u.id}>
                  <td className="people-wrap">
                    <Link href={userHref(u.id)}>
                      <strong>{u.name}</strong>
                    </Link>
                    {u.id === me.id ? <span className="muted"> (you)</span> : null}
                    <div className="small muted people-phone-only">{u.email}</div>
                  </td>
                  <td className="hide-phone people-wrap">{u.email}</td>
                  <td>
                    <span className="badge neutral">{u.role}</span>
                  </td>
                  <td className="hide-phone">{u.time_zone}</td>
                </tr>
              ))}
            </ListTable>
          )}
          {isAdmin && users.data.length <= 1 ? (
            <p className="muted small">
              Only you so far. Add the people who go on call, then put them on a schedule.
            </p>
          ) : null}
        </>
      ) : null}
    </>
  );
}

/** What the add and edit forms of a person hold. */
function useUserDraft(initial: { name: string; email: string; role: Role; zone: string }) {
  const [name, setName] = useState(initial.name);
  const [email, setEmail] = useState(initial.email);
  const [role, setRole] = useState<Role>(initial.role);
  const [zone, setZone] = useState(initial.zone);
  const [password, setPassword] = useState('');
  return { name, setName, email, setEmail, role, setRole, zone, setZone, password, setPassword };
}

/** A person's details as an admin adds or changes them. */
function UserFields({
  draft,
  zoneId,
  zoneRequired = false,
  passwordLabel,
}: {
  draft: ReturnType<typeof useUserDraft>;
  zoneId: string;
  zoneRequired?: boolean;
  passwordLabel: string;
}) {
  const { user: me } = useSession();
  return (
    <>
      <NameEmailFields
        name={draft.name}
        onName={draft.setName}
        email={draft.email}
        onEmail={draft.setEmail}
      />
      <Field label="Role">
        <RoleSelect value={draft.role} onChange={draft.setRole} mine={me.role} />
      </Field>
      <Field label="Time zone">
        <TimeZoneInput id={zoneId} value={draft.zone} onChange={draft.setZone} required={zoneRequired} />
      </Field>
      <Field label={passwordLabel}>
        <input
          type="password"
          value={draft.password}
          onChange={(e) => draft.setPassword(e.target.value)}
          minLength={12}
          maxLength={1024}
          autoComplete="new-password"
        />
      </Field>
    </>
  );
}

function AddUser({ onCancel, onCreated }: { onCancel: () => void; onCreated: (user: User) => void }) {
  const client = useQueryClient();
  const draft = useUserDraft({ name: '', email: '', role: 'responder', zone: browserTimeZone() });
  const { name, email, role, zone, password } = draft;

  const create = useMutation({
    mutationFn: () => {
      const body: UserCreate = {
        name: name.trim(),
        email: email.trim(),
        role,
        ...(zone.trim() ? { time_zone: zone.trim() } : {}),
        ...(password ? { password } : {}),
      };
      return vigil.users.create(body);
    },
    onSuccess: async (user) => {
      await client.invalidateQueries({ queryKey: ['users'] });
      onCreated(user);
    },
  });

  return (
    <section className="panel" aria-labelledby="add-user-title">
      <h2 id="add-user-title" className="people-panel-title">
        Add a person
      </h2>
      <form
        className="stack"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div className="people-form-grid">
          <UserFields draft={draft} zoneId="add-user-zone" passwordLabel="Password (optional)" />
        </div>
        <p className="small muted" style={{ margin: 0 }}>
          Without a password they set their own with “Forgot password?” on the sign-in page (Vigil mails them
          a link, when mail is configured). With one, tell it to them and they change it on their profile.
          Only owners can make owners.
        </p>
        <div className="row">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Create user'}
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
        <ErrorBox error={create.error} />
      </form>
    </section>
  );
}

function UserDetail({ userId }: { userId: string }) {
  const isAdmin = useCan('admin');
  const { user: me } = useSession();
  const [params] = useSearchParams();
  const users = useUsers();
  const fromList = users.data?.find((u) => u.id === userId);
  // Not in the list (deactivated, or the list is still loading): ask for the one user.
  const single = useQuery({
    queryKey: ['people', 'user', userId],
    queryFn: () => vigil.users.get(userId),
    enabled: users.isSuccess && !fromList,
    retry: false,
  });
  const user = fromList ?? single.data;

  return (
    <>
      <p style={{ marginTop: 0 }}>
        <Link href="/people">← All people</Link>
      </p>
      {users.isPending || single.isFetching ? <Loading what="Loading" /> : null}
      <ErrorBox error={users.error} />
      {isStatus(single.error, 404) ? (
        <p className="muted">This person does not exist or was deactivated.</p>
      ) : (
        <ErrorBox error={single.error} />
      )}
      {user ? (
        <>
          {params.get('added') ? (
            <p className="notice" role="status">
              {user.name} was added as {user.role}.{' '}
              {isAdmin ? 'Set up how Vigil reaches them below, or let them do it on their profile.' : ''}
            </p>
          ) : null}
          {isAdmin && user.id !== me.id ? <EditUser key={user.id} user={user} /> : <UserFacts user={user} />}
          {isAdmin ? (
            <>
              <h2>How Vigil reaches {user.id === me.id ? 'you' : user.name}</h2>
              <ContactMethods userId={user.id} canEdit who={user.id === me.id ? 'you' : user.name} />
              <NotificationRules userId={user.id} canEdit />
            </>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function UserFacts({ user }: { user: User }) {
  const { user: me } = useSession();
  return (
    <section className="panel">
      <h2 className="people-panel-title">{user.name}</h2>
      <dl className="people-facts">
        <dt>E-mail</dt>
        <dd>{user.email}</dd>
        <dt>Role</dt>
        <dd>{user.role}</dd>
        <dt>Time zone</dt>
        <dd>{user.time_zone}</dd>
        <dt>Since</dt>
        <dd>{when(user.created_at)}</dd>
      </dl>
      {user.id === me.id ? (
        <p className="small" style={{ marginBottom: 0 }}>
          This is you: change your details, contact methods and password on{' '}
          <Link href="/profile">My profile</Link>.
        </p>
      ) : null}
    </section>
  );
}

function EditUser({ user }: { user: User }) {
  const { user: me } = useSession();
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const draft = useUserDraft({ name: user.name, email: user.email, role: user.role, zone: user.time_zone });
  const { name, email, role, zone, password, setPassword } = draft;
  const [flash, setFlash] = useFlash();
  // Only an owner changes or deactivates an owner; nobody touches someone above their own role.
  const above = roleRank(user.role) > roleRank(me.role);

  const changed: UserUpdate = {
    ...(name.trim() !== user.name ? { name: name.trim() } : {}),
    ...(email.trim().toLowerCase() !== user.email ? { email: email.trim() } : {}),
    ...(role !== user.role ? { role } : {}),
    ...(zone.trim() !== user.time_zone ? { time_zone: zone.trim() } : {}),
    ...(password ? { password } : {}),
  };
  const dirty = Object.keys(changed).length > 0;

  const save = useMutation({
    mutationFn: () => vigil.users.update(user.id, changed),
    onSuccess: async () => {
      setPassword('');
      setFlash(password ? 'Saved; their sessions were signed out' : 'Saved');
      await client.invalidateQueries({ queryKey: ['users'] });
      await client.invalidateQueries({ queryKey: ['people', 'user', user.id] });
    },
  });
  const deactivate = useMutation({
    mutationFn: () => vigil.users.deactivate(user.id),
    onSuccess: () => {
      // Leave first: on this screen a person missing from the list is looked up on their own (a 404 now).
      navigate('/people');
      void client.invalidateQueries({ queryKey: ['users'] });
    },
  });

  return (
    <section className="panel" aria-labelledby="edit-user-title">
      <h2 id="edit-user-title" className="people-panel-title">
        {user.name}
      </h2>
      <p className="small muted">
        Added {when(user.created_at)} · {user.has_password ? 'signs in with a password' : 'no password yet'}
      </p>
      {above ? <p className="notice small">Only an owner can change or deactivate an owner.</p> : null}
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (dirty) save.mutate();
        }}
      >
        <fieldset className="people-fieldset" disabled={above}>
          <legend className="people-sr">Details of {user.name}</legend>
          <div className="people-form-grid">
            <UserFields
              draft={draft}
              zoneId={`zone-${user.id}`}
              zoneRequired
              passwordLabel="Set a new password (optional)"
            />
          </div>
        </fieldset>
        <div className="row">
          <button type="submit" className="primary" disabled={above || !dirty || save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          <Flash text={flash} />
          {!above ? (
            <span className="right">
              <ConfirmButton
                label="Deactivate"
                question={`Deactivate ${user.name}? They can no longer sign in, their API keys are revoked and they are not paged.`}
                confirmLabel="Deactivate"
                busy={deactivate.isPending}
                onConfirm={() => deactivate.mutate()}
              />
            </span>
          ) : null}
        </div>
        <ErrorBox error={save.error} />
        <ErrorBox error={deactivate.error} />
      </form>
    </section>
  );
}

// ── teams ──────────────────────────────────────────────────────────────────────────────────────

function TeamList() {
  const canManage = useCan('manager');
  const teams = useTeams();
  const [creating, setCreating] = useState(false);
  const [, navigate] = useLocation();
  const sorted = [...(teams.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      {canManage && !creating ? (
        <div className="row" style={{ marginBottom: 12 }}>
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New team
          </button>
        </div>
      ) : null}
      {creating ? (
        <section className="panel" aria-labelledby="new-team-title">
          <h2 id="new-team-title" className="people-panel-title">
            New team
          </h2>
          <TeamForm
            submitLabel="Create team"
            onSaved={(team) => navigate(teamHref(team.id))}
            onCancel={() => setCreating(false)}
          />
        </section>
      ) : null}
      {teams.isPending ? <Loading what="Loading teams" /> : null}
      {isStatus(teams.error, 403) ? (
        <p className="muted">Your role cannot see teams.</p>
      ) : (
        <ErrorBox error={teams.error} />
      )}
      {teams.isSuccess && sorted.length === 0 ? (
        <div className="panel">
          <p style={{ marginTop: 0 }}>
            <strong>No teams yet.</strong>
          </p>
          <p className="muted" style={{ marginBottom: 0 }}>
            A team groups the people who look after some services, schedules and escalation policies.{' '}
            {canManage ? 'Create one with “New team”.' : 'A manager can create one.'}
          </p>
        </div>
      ) : null}
      {sorted.length > 0 ? (
        <ListTable columns={['Team', { label: 'Description', hidePhone: true }]}>
          {sorted.map((team) => (
            <tr key={team.id}>
              <td className="people-wrap">
                <Link href={teamHref(team.id)}>
                  <strong>{team.name}</strong>
                </Link>
                {team.description ? (
                  <div className="small muted people-phone-only">{team.description}</div>
                ) : null}
              </td>
              <td className="hide-phone people-wrap">
                {team.description || <span className="muted">—</span>}
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </>
  );
}

function TeamForm({
  team,
  submitLabel,
  onSaved,
  onCancel,
}: {
  team?: Team;
  submitLabel: string;
  onSaved: (team: Team) => void;
  onCancel?: () => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const save = useMutation({
    mutationFn: () =>
      team
        ? vigil.teams.update(team.id, { name: name.trim(), description })
        : vigil.teams.create({ name: name.trim(), description }),
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: ['teams'] });
      onSaved(saved);
    },
  });
  const dirty = !team || name.trim() !== team.name || description !== team.description;

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field label="Team name">
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </Field>
      <Field label="Description">
        <textarea
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={10_000}
          placeholder="What the team looks after"
        />
      </Field>
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending || !dirty || !name.trim()}>
          {save.isPending ? 'Saving…' : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <ErrorBox error={save.error} />
    </form>
  );
}

const TEAM_ROLES: TeamMember['role'][] = ['manager', 'responder', 'observer'];

function TeamDetail({ teamId }: { teamId: string }) {
  const canManage = useCan('manager');
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const teams = useTeams();
  const users = useUsers();
  const team = teams.data?.find((t) => t.id === teamId);
  const membersKey = ['people', 'team-members', teamId];
  const members = useQuery({
    queryKey: membersKey,
    queryFn: async () => (await vigil.teams.members(teamId)).data,
  });
  const [flash, setFlash] = useFlash();

  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const sortedMembers = [...(members.data ?? [])].sort((a, b) =>
    (byId.get(a.user_id)?.name ?? a.user_id).localeCompare(byId.get(b.user_id)?.name ?? b.user_id),
  );

  const putMember = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: TeamMember['role'] }) =>
      vigil.teams.putMember(teamId, userId, role),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey }),
  });
  const removeMember = useMutation({
    mutationFn: (userId: string) => vigil.teams.removeMember(teamId, userId),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey }),
  });
  const remove = useMutation({
    mutationFn: () => vigil.teams.delete(teamId),
    onSuccess: () => {
      navigate('/people?tab=teams');
      void client.invalidateQueries({ queryKey: ['teams'] });
    },
  });

  return (
    <>
      <p style={{ marginTop: 0 }}>
        <Link href="/people?tab=teams">← All teams</Link>
      </p>
      {teams.isPending ? <Loading what="Loading the team" /> : null}
      <ErrorBox error={teams.error} />
      {teams.isSuccess && !team ? <p className="muted">This team does not exist (any more).</p> : null}
      {team ? (
        <>
          <section className="panel" aria-labelledby="team-title">
            <h2 id="team-title" className="people-panel-title">
              {team.name}
            </h2>
            {canManage ? (
              <TeamForm
                key={team.updated_at}
                team={team}
                submitLabel="Save"
                onSaved={() => setFlash('Saved')}
              />
            ) : (
              <p className="muted" style={{ margin: 0 }}>
                {team.description || 'No description.'}
              </p>
            )}
            <Flash text={flash} />
            {canManage ? (
              <div className="row" style={{ marginTop: 10 }}>
                <span className="right">
                  <ConfirmButton
                    label="Delete team"
                    question={`Delete ${team.name}? A team that still owns services cannot be deleted.`}
                    confirmLabel="Delete team"
                    busy={remove.isPending}
                    onConfirm={() => remove.mutate()}
                  />
                </span>
              </div>
            ) : null}
            <ErrorBox error={remove.error} />
          </section>

          <section className="panel" aria-labelledby="members-title">
            <h2 id="members-title" className="people-panel-title">
              Members
            </h2>
            {members.isPending ? <Loading what="Loading members" /> : null}
            <ErrorBox error={members.error} />
            {members.isSuccess && sortedMembers.length === 0 ? (
              <p className="muted">No members yet.{canManage ? ' Add the people of this team below.' : ''}</p>
            ) : null}
            {sortedMembers.length > 0 ? (
              <ListTable
                columns={[
                  'Name',
                  'Team role',
                  canManage && { label: <span className="people-sr">Actions</span> },
                ]}
              >
                {sortedMembers.map((member) => {
                  const person = byId.get(member.user_id);
                  const name = person?.name ?? member.user_id;
                  return (
                    <tr key={member.user_id}>
                      <td className="people-wrap">
                        <Link href={userHref(member.user_id)}>{name}</Link>
                        {person ? <div className="small muted">{person.email}</div> : null}
                      </td>
                      <td>
                        {canManage ? (
                          <select
                            aria-label={`Team role of ${name}`}
                            value={member.role}
                            disabled={putMember.isPending}
                            onChange={(e) =>
                              putMember.mutate({
                                userId: member.user_id,
                                role: e.target.value as TeamMember['role'],
                              })
                            }
                          >
                            {TEAM_ROLES.map((r) => (
                              <option key={r} value={r}>
                                {r}
                              </option>
                            ))}
                          </select>
                        ) : (
                          member.role
                        )}
                      </td>
                      {canManage ? (
                        <td className="right">
                          <ConfirmButton
                            label="Remove"
                            question={`Remove ${name} from ${team.name}?`}
                            confirmLabel="Remove"
                            busy={removeMember.isPending}
                            onConfirm={() => removeMember.mutate(member.user_id)}
                          />
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </ListTable>
            ) : null}
            <ErrorBox error={putMember.error} />
            <ErrorBox error={removeMember.error} />
            {canManage && members.isSuccess && users.isSuccess ? (
              <AddMember
                teamId={teamId}
                candidates={users.data.filter((u) => !members.data.some((m) => m.user_id === u.id))}
              />
            ) : null}
            <p className="small muted" style={{ marginBottom: 0 }}>
              Team roles are recorded for now; what someone may do follows their own role in Vigil.
            </p>
          </section>
        </>
      ) : null}
    </>
  );
}

function AddMember({ teamId, candidates }: { teamId: string; candidates: User[] }) {
  const client = useQueryClient();
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<TeamMember['role']>('responder');
  const sorted = [...candidates].sort((a, b) => a.name.localeCompare(b.name));
  const chosen = sorted.some((u) => u.id === userId) ? userId : '';
  const add = useMutation({
    mutationFn: () => vigil.teams.putMember(teamId, chosen, role),
    onSuccess: () => {
      setUserId('');
      return client.invalidateQueries({ queryKey: ['people', 'team-members', teamId] });
    },
  });

  if (sorted.length === 0) return <p className="small muted">Everyone is in this team already.</p>;
  return (
    <form
      className="stack people-add"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) add.mutate();
      }}
    >
      <h3 style={{ margin: 0 }}>Add a member</h3>
      <div className="row" style={{ alignItems: 'flex-end' }}>
        <Field label="Person">
          <select value={chosen} onChange={(e) => setUserId(e.target.value)} required>
            <option value="">Choose someone…</option>
            {sorted.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.email})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Role in the team">
          <select value={role} onChange={(e) => setRole(e.target.value as TeamMember['role'])}>
            {TEAM_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={add.isPending || !chosen}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      <ErrorBox error={add.error} />
    </form>
  );
}
