import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiKey, ApiKeyCreated, Role } from '@vigil/sdk/contract';
import { useState } from 'react';
import { vigil } from '../api.js';
import { allOf, namesOf, useUsers } from '../data.js';
import { useCan, useSession } from '../session.js';
import { Ago, ErrorBox, Field, Loading, when } from '../ui.js';
import { ConfirmButton, ListTable } from './common.js';
import { RoleSelect, SecretValue } from './people-common.js';

/**
 * API keys for scripts, the CLI and monitoring tools: your own (an admin sees everyone's), a new
 * key's token shown once, revoking.
 */
export function ApiKeysSection() {
  const { user } = useSession();
  const isAdmin = useCan('admin');
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['people', 'api-keys'], queryFn: () => allOf<ApiKey>('/api-keys') });
  const users = useUsers(isAdmin);
  const names = namesOf(users.data);
  const [onlyMine, setOnlyMine] = useState(true);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);

  const revoke = useMutation({
    mutationFn: (id: string) => vigil.apiKeys.revoke(id),
    onSuccess: () => client.invalidateQueries({ queryKey: ['people', 'api-keys'] }),
  });

  const shown = (keys.data ?? []).filter((k) => !isAdmin || !onlyMine || k.user_id === user.id);
  const now = Date.now();

  return (
    <section className="panel" aria-labelledby="keys-title" id="api-keys">
      <h2 id="keys-title" className="people-panel-title">
        API keys
      </h2>
      <p className="small muted">
        For the CLI, scripts and tools that call Vigil’s API: sent as <code>Authorization: Bearer …</code>. A
        key acts with its own role, never more than yours.
      </p>

      {created ? (
        <div className="notice stack" role="status" aria-live="polite">
          <strong>Key “{created.name}” created. Copy the token now — you will not see it again.</strong>
          <SecretValue value={created.token} label="New API key token" copyName="Copy token" />
          <div className="row">
            <button type="button" onClick={() => setCreated(null)}>
              Done, I have copied it
            </button>
          </div>
        </div>
      ) : null}

      {isAdmin ? (
        <label className="check small" style={{ marginBottom: 8 }}>
          <input type="checkbox" checked={onlyMine} onChange={(e) => setOnlyMine(e.target.checked)} /> Only my
          keys (as an admin you see everyone’s)
        </label>
      ) : null}

      {keys.isPending ? <Loading what="Loading API keys" /> : null}
      <ErrorBox error={keys.error} />
      {keys.isSuccess && shown.length === 0 ? (
        <p className="muted">No API keys{onlyMine || !isAdmin ? ' of yours' : ''} yet. Create one below.</p>
      ) : null}
      {shown.length > 0 ? (
        <ListTable
          columns={[
            'Name',
            isAdmin && !onlyMine && 'Owner',
            'Role',
            { label: 'Starts with', hidePhone: true },
            { label: 'Last used', hidePhone: true },
            'Expires',
            { label: <span className="people-sr">Actions</span> },
          ]}
        >
          {shown.map((key) => {
            const expired = key.expires_at !== null && Date.parse(key.expires_at) < now;
            return (
              <tr key={key.id}>
                <td className="people-wrap">
                  <strong>{key.name}</strong>
                  <div className="small muted hide-phone">created {when(key.created_at)}</div>
                </td>
                {isAdmin && !onlyMine ? (
                  <td>{key.user_id === user.id ? 'you' : (names.get(key.user_id) ?? key.user_id)}</td>
                ) : null}
                <td>{key.role}</td>
                <td className="hide-phone">
                  <code>{key.token_prefix}…</code>
                </td>
                <td className="hide-phone">
                  {key.last_used_at ? <Ago at={key.last_used_at} /> : <span className="muted">never</span>}
                </td>
                <td>
                  {key.expires_at ? (
                    expired ? (
                      <span className="badge triggered">expired</span>
                    ) : (
                      new Date(key.expires_at).toLocaleDateString()
                    )
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td className="right">
                  <ConfirmButton
                    label="Revoke"
                    question={`Revoke “${key.name}”? Anything using it stops working at once.`}
                    confirmLabel="Revoke key"
                    busy={revoke.isPending}
                    onConfirm={() => revoke.mutate(key.id)}
                  />
                </td>
              </tr>
            );
          })}
        </ListTable>
      ) : null}
      <ErrorBox error={revoke.error} />

      <CreateKey
        myRole={user.role}
        onCreated={(key) => {
          setCreated(key);
          void client.invalidateQueries({ queryKey: ['people', 'api-keys'] });
        }}
      />
    </section>
  );
}

function CreateKey({ myRole, onCreated }: { myRole: Role; onCreated: (key: ApiKeyCreated) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(myRole);
  const [expires, setExpires] = useState('');
  const today = new Date();
  const minDate = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;

  const create = useMutation({
    mutationFn: () =>
      vigil.apiKeys.create({
        name: name.trim(),
        role,
        // The end of the chosen day, in this browser's time.
        expires_at: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
      }),
    onSuccess: (key) => {
      setName('');
      setExpires('');
      onCreated(key);
    },
  });

  return (
    <form
      className="stack people-add"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h3 style={{ margin: 0 }}>Create an API key</h3>
      <div className="people-form-grid">
        <Field label="Key name">
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. grafana dashboards"
            maxLength={200}
            required
          />
        </Field>
        <Field label="Key role">
          <RoleSelect value={role} onChange={setRole} mine={myRole} />
        </Field>
        <Field label="Expires (optional)">
          <input type="date" value={expires} min={minDate} onChange={(e) => setExpires(e.target.value)} />
        </Field>
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        Give a key the least role it needs: <em>observer</em> to read, <em>responder</em> to acknowledge.
        Leave “Expires” empty for a key that does not expire.
      </p>
      <div className="row">
        <button type="submit" className="primary" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Creating…' : 'Create API key'}
        </button>
      </div>
      <ErrorBox error={create.error} />
    </form>
  );
}
