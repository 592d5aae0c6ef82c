import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ContactMethod, Notification, NotificationRule } from '@vigil/sdk/contract';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { vigil } from '../api.js';
import { ErrorBox, Field, Loading } from '../ui.js';
import { ConfirmButton, ListTable } from './common.js';
import { SecretValue } from './people-common.js';

/**
 * How Vigil reaches a person: their contact methods (with verification by code and "Send test") and
 * their notification rules, shown as a readable plan. The profile shows a person's own; the people
 * screen shows anyone's to admins (same components, another user id).
 */

export type ContactType = ContactMethod['type'];
type Urgency = NotificationRule['urgency'];
type ContactMethodCreated = ContactMethod & { secret?: string };

const enc = encodeURIComponent;
const methodsPath = (userId: string) => `/users/${enc(userId)}/contact-methods`;
const rulesPath = (userId: string) => `/users/${enc(userId)}/notification-rules`;

export const contactMethodsKey = (userId: string) => ['people', 'contact-methods', userId];
export const rulesKey = (userId: string) => ['people', 'rules', userId];

export function useContactMethods(userId: string) {
  return useQuery({
    queryKey: contactMethodsKey(userId),
    queryFn: async () => (await vigil.request<{ data: ContactMethod[] }>('GET', methodsPath(userId))).data,
  });
}

export function useRules(userId: string) {
  return useQuery({
    queryKey: rulesKey(userId),
    queryFn: async () => (await vigil.request<{ data: NotificationRule[] }>('GET', rulesPath(userId))).data,
  });
}

/**
 * After a person's contact methods or rules change: refetch them, and the policy previews, whose
 * "who would be paged now" says whether each person can be reached.
 */
function invalidateReach(client: QueryClient, key: string[]) {
  return Promise.all([
    client.invalidateQueries({ queryKey: key }),
    client.invalidateQueries({ queryKey: ['escalation-policies'] }),
  ]);
}

export const TYPE_NAMES: Record<ContactType, string> = {
  email: 'E-mail',
  sms: 'SMS',
  voice: 'Voice call',
  slack: 'Slack',
  teams: 'Microsoft Teams',
  push: 'Push',
  webhook: 'Webhook',
};

/** E-mail, SMS and voice are paged only once verified with a code (paging.md). */
export const needsCode = (type: ContactType) => type === 'email' || type === 'sms' || type === 'voice';

interface AddressKind {
  label: string;
  input: 'email' | 'tel' | 'url' | 'text';
  placeholder: string;
  hint: string;
}

const ADDRESS: Record<Exclude<ContactType, 'push'>, AddressKind> = {
  sms: {
    label: 'Phone number',
    input: 'tel',
    placeholder: '+14155550123',
    hint: 'International format: + and the country code. Vigil texts you a 6-digit code to check it.',
  },
  voice: {
    label: 'Phone number',
    input: 'tel',
    placeholder: '+14155550123',
    hint: 'International format: + and the country code. Vigil sends a 6-digit code to check it (read out in a call).',
  },
  email: {
    label: 'E-mail address',
    input: 'email',
    placeholder: 'you@example.com',
    hint: 'Vigil mails a 6-digit code to check it.',
  },
  slack: {
    label: 'Slack member ID, channel ID or incoming-webhook URL',
    input: 'text',
    placeholder: 'U0123ABCD',
    hint: 'Your member ID is in Slack under your profile → ⋮ → Copy member ID (needs the Vigil Slack app). Or paste an incoming-webhook URL.',
  },
  teams: {
    label: 'Teams Workflows webhook URL',
    input: 'url',
    placeholder: 'https://…',
    hint: 'In Teams: the channel → Workflows → “Post to a channel when a webhook request is received”.',
  },
  webhook: {
    label: 'URL',
    input: 'url',
    placeholder: 'https://example.com/hooks/vigil',
    hint: 'Vigil POSTs JSON signed per Standard Webhooks; the signing secret is shown once after adding.',
  },
};

/** What a contact method is, for a person: "SMS · mobile (+1415…)". */
export function methodName(method: ContactMethod): string {
  const type = TYPE_NAMES[method.type];
  return method.label && method.label !== method.type ? `${type} (${method.label})` : type;
}

function shownAddress(method: ContactMethod): string {
  if (method.type !== 'push') return method.address;
  try {
    const { endpoint } = JSON.parse(method.address) as { endpoint?: string };
    return endpoint ? `a browser (${new URL(endpoint).host})` : 'a browser';
  } catch {
    return 'a browser';
  }
}

const normalisePhone = (text: string) => text.replace(/[\s().-]/g, '');

function minutes(delay: number): string {
  if (delay === 0) return 'at once';
  if (delay < 60) return `after ${delay} min`;
  const h = Math.floor(delay / 60);
  const m = delay % 60;
  return `after ${h} h${m ? ` ${m} min` : ''}`;
}

// ── the checklist ──────────────────────────────────────────────────────────────────────────────

/** The three steps to be paged on a phone, ticked off as they are done. */
export function PagingChecklist({ userId }: { userId: string }) {
  const methods = useContactMethods(userId);
  const rules = useRules(userId);
  if (!methods.data || !rules.data) return null;
  const added = methods.data.length > 0;
  const verified = methods.data.some((m) => m.verified);
  const highRule = rules.data.some(
    (r) =>
      (r.urgency === 'high' || r.urgency === 'any') &&
      methods.data.find((m) => m.id === r.contact_method_id)?.verified,
  );
  if (added && verified && highRule) return null;
  const steps: [boolean, string, string][] = [
    [added, 'Add a contact method', 'e.g. SMS with your mobile number, under “Add a contact method”.'],
    [verified, 'Verify it', 'enter the 6-digit code Vigil sends, then press “Verify”.'],
    [highRule, 'Add a high-urgency rule', 'under “Notification rules”: urgency High, your phone, at once.'],
  ];
  return (
    <div className="notice people-checklist">
      <strong>Get paged in three steps</strong>
      <ol>
        {steps.map(([done, title, how]) => (
          <li key={title} className={done ? 'done' : undefined}>
            {done ? '✓ ' : ''}
            <strong>{title}</strong>
            {done ? <span className="muted"> — done</span> : <span> — {how}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}

// ── contact methods ────────────────────────────────────────────────────────────────────────────

export function ContactMethods({
  userId,
  canEdit,
  who = 'you',
}: {
  userId: string;
  canEdit: boolean;
  /** "you" on the profile, the person's name elsewhere. */
  who?: string;
}) {
  const methods = useContactMethods(userId);
  const [justAdded, setJustAdded] = useState<ContactMethodCreated | null>(null);
  const shown = methods.data ?? [];

  return (
    <section className="panel" aria-labelledby={`cm-title-${userId}`}>
      <h2 id={`cm-title-${userId}`} className="people-panel-title">
        Contact methods
      </h2>
      {methods.isPending ? <Loading what="Loading contact methods" /> : null}
      <ErrorBox error={methods.error} />
      {methods.isSuccess && shown.length === 0 ? (
        <p className="muted">
          No contact methods yet: Vigil can’t page {who}.{' '}
          {canEdit ? 'Add a phone number for SMS below — it is the quickest way to be woken up.' : ''}
        </p>
      ) : null}
      {shown.length > 0 ? (
        <ul className="people-methods">
          {shown.map((method) => (
            <MethodRow
              key={method.id}
              method={method}
              canEdit={canEdit}
              fresh={justAdded?.id === method.id ? justAdded : null}
              onDone={() => setJustAdded(null)}
            />
          ))}
        </ul>
      ) : null}
      {canEdit ? <AddMethod userId={userId} onAdded={setJustAdded} /> : null}
    </section>
  );
}

function MethodRow({
  method,
  canEdit,
  fresh,
  onDone,
}: {
  method: ContactMethod;
  canEdit: boolean;
  fresh: ContactMethodCreated | null;
  onDone: () => void;
}) {
  const client = useQueryClient();
  const base = `${methodsPath(method.user_id)}/${enc(method.id)}`;
  const refresh = () => invalidateReach(client, contactMethodsKey(method.user_id));
  const [code, setCode] = useState('');
  const [sentAgain, setSentAgain] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const name = methodName(method);

  useEffect(() => {
    if (fresh && needsCode(method.type)) codeRef.current?.focus();
  }, [fresh, method.type]);

  const verify = useMutation({
    mutationFn: () => vigil.request<ContactMethod>('POST', `${base}/verify`, { body: { code: code.trim() } }),
    onSuccess: () => {
      setCode('');
      onDone();
      void invalidateReach(client, rulesKey(method.user_id));
      return refresh();
    },
  });
  const sendCode = useMutation({
    mutationFn: () => vigil.request<void>('POST', `${base}/send-code`, { body: {} }),
    onSuccess: () => setSentAgain(true),
  });
  const test = useMutation({
    mutationFn: () => vigil.request<Notification>('POST', `${base}/test`, { body: {} }),
  });
  const remove = useMutation({
    mutationFn: () => vigil.request<void>('DELETE', base),
    onSuccess: () => {
      void invalidateReach(client, rulesKey(method.user_id));
      return refresh();
    },
  });

  function submitCode(event: FormEvent) {
    event.preventDefault();
    if (code.trim()) verify.mutate();
  }

  const unverified = !method.verified && needsCode(method.type);
  return (
    <li className="people-method" data-testid={`contact-method-${method.type}`}>
      <div className="row">
        <div className="grow people-wrap">
          <strong>{name}</strong> <span className="muted people-wrap">{shownAddress(method)}</span>
        </div>
        {method.verified ? (
          <span className="badge resolved">{needsCode(method.type) ? 'verified' : 'ready'}</span>
        ) : (
          <span className="badge acknowledged">not verified</span>
        )}
      </div>

      {fresh?.secret ? (
        <div className="notice stack">
          <span>
            <strong>Signing secret</strong> — copy it now into the receiving side; you will not see it again.
          </span>
          <SecretValue value={fresh.secret} label="Webhook signing secret" copyName="Copy secret" />
          <button type="button" className="link small" onClick={onDone}>
            I have saved it
          </button>
        </div>
      ) : null}

      {unverified && canEdit ? (
        <form className="stack people-verify" onSubmit={submitCode}>
          <p className="small" style={{ margin: 0 }}>
            {fresh || sentAgain ? (
              <>
                We sent a 6-digit code to <strong>{method.address}</strong>. Enter it here (valid 15 minutes).
              </>
            ) : (
              <>
                Not paged until verified: enter the 6-digit code Vigil sent to {method.address}, or send a new
                one.
              </>
            )}
          </p>
          <div className="row" style={{ alignItems: 'flex-end' }}>
            <Field label="Verification code">
              <input
                ref={codeRef}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9 ]*"
                maxLength={20}
                size={10}
                placeholder="123456"
                aria-describedby={`code-help-${method.id}`}
              />
            </Field>
            <button type="submit" className="primary" disabled={verify.isPending || !code.trim()}>
              {verify.isPending ? 'Verifying…' : 'Verify'}
            </button>
            <button
              type="button"
              disabled={sendCode.isPending}
              onClick={() => {
                setSentAgain(false);
                sendCode.mutate();
              }}
            >
              {sendCode.isPending ? 'Sending…' : 'Send code'}
            </button>
          </div>
          <span id={`code-help-${method.id}`} className="small muted">
            A new code replaces the old one; each allows 5 tries.
          </span>
          <ErrorBox error={verify.error} />
          <ErrorBox error={sendCode.error} />
        </form>
      ) : null}

      {canEdit ? (
        <div className="row people-method-actions">
          {method.verified ? (
            <button type="button" disabled={test.isPending} onClick={() => test.mutate()}>
              {test.isPending ? 'Sending…' : 'Send test'}
            </button>
          ) : null}
          <span className="right">
            <ConfirmButton
              label="Delete"
              question={`Delete ${name}? Its notification rules go too.`}
              confirmLabel="Delete it"
              busy={remove.isPending}
              onConfirm={() => remove.mutate()}
            />
          </span>
        </div>
      ) : null}
      {test.isSuccess ? (
        <p className="small people-ok" role="status">
          Test sent to {name}: it should arrive within a minute.
        </p>
      ) : null}
      <ErrorBox error={test.error} />
      <ErrorBox error={remove.error} />
    </li>
  );
}

const ADDABLE: Exclude<ContactType, 'push'>[] = ['sms', 'voice', 'email', 'slack', 'teams', 'webhook'];

function AddMethod({ userId, onAdded }: { userId: string; onAdded: (method: ContactMethodCreated) => void }) {
  const client = useQueryClient();
  const [type, setType] = useState<Exclude<ContactType, 'push'>>('sms');
  const [address, setAddress] = useState('');
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState('');
  const kind = ADDRESS[type];

  const add = useMutation({
    mutationFn: () => {
      const clean = type === 'sms' || type === 'voice' ? normalisePhone(address) : address.trim();
      return vigil.request<ContactMethodCreated>('POST', methodsPath(userId), {
        body: {
          type,
          address: clean,
          ...(label.trim() ? { label: label.trim() } : {}),
          ...(type === 'webhook' && secret ? { secret } : {}),
        },
      });
    },
    onSuccess: (method) => {
      setAddress('');
      setLabel('');
      setSecret('');
      onAdded(method);
      return invalidateReach(client, contactMethodsKey(userId));
    },
  });

  return (
    <form
      className="stack people-add"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <h3 style={{ margin: 0 }}>Add a contact method</h3>
      <div className="people-form-grid">
        <Field label="Type">
          <select
            value={type}
            onChange={(e) => {
              setType(e.target.value as Exclude<ContactType, 'push'>);
              add.reset();
            }}
          >
            {ADDABLE.map((t) => (
              <option key={t} value={t}>
                {TYPE_NAMES[t]}
              </option>
            ))}
          </select>
        </Field>
        <Field label={kind.label}>
          <input
            type={kind.input}
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            placeholder={kind.placeholder}
            autoComplete={kind.input === 'tel' ? 'tel' : kind.input === 'email' ? 'email' : 'off'}
            required
          />
        </Field>
        <Field label="Label (optional)">
          <input
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="e.g. mobile"
            maxLength={200}
          />
        </Field>
        {type === 'webhook' ? (
          <Field label="Signing secret (optional)">
            <input
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              minLength={10}
              maxLength={200}
              placeholder="Leave empty to get one"
              autoComplete="off"
            />
          </Field>
        ) : null}
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        {kind.hint}
      </p>
      <div className="row">
        <button type="submit" className="primary" disabled={add.isPending || !address.trim()}>
          {add.isPending ? 'Adding…' : 'Add contact method'}
        </button>
      </div>
      <ErrorBox error={add.error} />
    </form>
  );
}

// ── notification rules ─────────────────────────────────────────────────────────────────────────

const URGENCY_NAMES: Record<Urgency, string> = { high: 'High', low: 'Low', any: 'High and low' };

export function NotificationRules({ userId, canEdit }: { userId: string; canEdit: boolean }) {
  const client = useQueryClient();
  const methods = useContactMethods(userId);
  const rules = useRules(userId);
  const byId = new Map((methods.data ?? []).map((m) => [m.id, m]));
  const sorted = [...(rules.data ?? [])].sort(
    (a, b) => urgencyOrder(a.urgency) - urgencyOrder(b.urgency) || a.delay_minutes - b.delay_minutes,
  );

  const remove = useMutation({
    mutationFn: (ruleId: string) => vigil.request<void>('DELETE', `${rulesPath(userId)}/${enc(ruleId)}`),
    onSuccess: () => invalidateReach(client, rulesKey(userId)),
  });

  return (
    <section className="panel" aria-labelledby={`rules-title-${userId}`}>
      <h2 id={`rules-title-${userId}`} className="people-panel-title">
        Notification rules
      </h2>
      {rules.isPending ? <Loading what="Loading rules" /> : null}
      <ErrorBox error={rules.error} />
      {rules.isSuccess ? (
        <Plan rules={sorted} methods={byId} anyMethods={(methods.data ?? []).length > 0} />
      ) : null}

      {sorted.length > 0 ? (
        <ListTable
          columns={[
            'Urgency',
            'Contact method',
            'When',
            canEdit && { label: <span className="people-sr">Actions</span> },
          ]}
          style={{ marginTop: 10 }}
        >
          {sorted.map((rule) => {
            const method = byId.get(rule.contact_method_id);
            return (
              <tr key={rule.id}>
                <td>{URGENCY_NAMES[rule.urgency]}</td>
                <td className="people-wrap">
                  {method ? methodName(method) : 'a deleted method'}
                  {method && !method.verified ? (
                    <span className="badge acknowledged" style={{ marginLeft: 6 }}>
                      not verified
                    </span>
                  ) : null}
                </td>
                <td>{minutes(rule.delay_minutes)}</td>
                {canEdit ? (
                  <td className="right">
                    <ConfirmButton
                      label="Delete"
                      question="Delete this rule?"
                      confirmLabel="Delete rule"
                      busy={remove.isPending}
                      onConfirm={() => remove.mutate(rule.id)}
                    />
                  </td>
                ) : null}
              </tr>
            );
          })}
        </ListTable>
      ) : null}
      <ErrorBox error={remove.error} />
      {canEdit && methods.isSuccess ? <AddRule userId={userId} methods={methods.data} /> : null}
    </section>
  );
}

const urgencyOrder = (urgency: Urgency) => (urgency === 'high' ? 0 : urgency === 'any' ? 1 : 2);

/** "High urgency: SMS at once, voice call after 5 min." — what a page will do, in words. */
function Plan({
  rules,
  methods,
  anyMethods,
}: {
  rules: NotificationRule[];
  methods: Map<string, ContactMethod>;
  anyMethods: boolean;
}) {
  if (rules.length === 0)
    return (
      <p className="muted" style={{ margin: 0 }}>
        {anyMethods
          ? 'No rules yet: a page goes to every verified contact method at once. Add rules to choose the order, e.g. SMS at once, a call after 5 minutes.'
          : 'No rules yet. Add a contact method first, then a rule for it.'}
      </p>
    );
  const line = (urgency: 'high' | 'low') => {
    const steps = rules
      .filter((r) => r.urgency === urgency || r.urgency === 'any')
      .sort((a, b) => a.delay_minutes - b.delay_minutes);
    if (steps.length === 0)
      return (
        <span className="people-warn">
          nothing — with rules set, a {urgency}-urgency page skips you. Add a rule for it (or use “High and
          low”).
        </span>
      );
    return steps
      .map((r) => {
        const method = methods.get(r.contact_method_id);
        const what = method ? methodName(method) : 'a deleted method';
        const caveat = method && !method.verified ? ' (not verified: skipped)' : '';
        return `${what} ${minutes(r.delay_minutes)}${caveat}`;
      })
      .join(', ')
      .concat('.');
  };
  return (
    <ul className="people-plan" aria-label="Your paging plan">
      <li>
        <strong>High urgency:</strong> {line('high')}
      </li>
      <li>
        <strong>Low urgency:</strong> {line('low')}
        {rules.some((r) => r.urgency !== 'high') ? (
          <span className="small muted"> (inside quiet hours, it waits for them to end)</span>
        ) : null}
      </li>
    </ul>
  );
}

function AddRule({ userId, methods }: { userId: string; methods: ContactMethod[] }) {
  const client = useQueryClient();
  const usable = methods.filter((m) => m.verified);
  const preferred = usable.find((m) => m.type === 'sms') ?? usable[0] ?? methods[0];
  const [urgency, setUrgency] = useState<Urgency>('high');
  const [methodId, setMethodId] = useState('');
  const [delay, setDelay] = useState('0');
  const chosen = methods.some((m) => m.id === methodId) ? methodId : (preferred?.id ?? '');

  const add = useMutation({
    mutationFn: () =>
      vigil.request<NotificationRule>('POST', rulesPath(userId), {
        body: { contact_method_id: chosen, delay_minutes: Number(delay), urgency },
      }),
    onSuccess: () => {
      setDelay('0');
      return invalidateReach(client, rulesKey(userId));
    },
  });

  if (methods.length === 0) return null;
  return (
    <form
      className="stack people-add"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <h3 style={{ margin: 0 }}>Add a rule</h3>
      <div className="people-form-grid">
        <Field label="Urgency">
          <select value={urgency} onChange={(e) => setUrgency(e.target.value as Urgency)}>
            <option value="high">High</option>
            <option value="low">Low</option>
            <option value="any">High and low</option>
          </select>
        </Field>
        <Field label="Send to">
          <select value={chosen} onChange={(e) => setMethodId(e.target.value)}>
            {methods.map((m) => (
              <option key={m.id} value={m.id}>
                {/* The address too: two numbers of one type must be told apart. */}
                {methodName(m)} · {shownAddress(m)}
                {m.verified ? '' : ' — not verified yet'}
              </option>
            ))}
          </select>
        </Field>
        <Field label="After (minutes)">
          <input
            type="number"
            min={0}
            max={1440}
            step={1}
            value={delay}
            onChange={(e) => setDelay(e.target.value)}
            required
          />
        </Field>
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        0 minutes: at once when you are paged. Later rules are skipped once the incident is acknowledged.
      </p>
      <div className="row">
        <button type="submit" className="primary" disabled={add.isPending || !chosen || delay === ''}>
          {add.isPending ? 'Adding…' : 'Add rule'}
        </button>
      </div>
      <ErrorBox error={add.error} />
    </form>
  );
}
