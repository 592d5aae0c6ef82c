import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EscalationPolicy, EscalationPolicyCreate } from '@vigil/sdk/contract';
import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { vigil } from '../api.js';
import { ConfirmButton } from '../components/common.js';
import { stepTiming, usePolicyPreview } from '../components/svc-common.js';
import { PreviewStepPeople } from '../components/svc-policy-preview.js';
import { isStatus, namesOf, useSchedules, useServices, useTeams, useUsers } from '../data.js';
import { useCan } from '../session.js';
import { ErrorBox, Field, Loading, PageHead } from '../ui.js';

type TargetType = 'user' | 'schedule' | 'team';
interface Target {
  type: TargetType;
  id: string;
}
interface DraftStep {
  key: string;
  delay: string;
  targets: Target[];
}
interface Draft {
  name: string;
  description: string;
  team_id: string;
  repeat: number;
  steps: DraftStep[];
}

let keys = 0;
const newKey = () => `step-${++keys}`;

function toDraft(policy: EscalationPolicy | null): Draft {
  if (!policy)
    return {
      name: '',
      description: '',
      team_id: '',
      repeat: 0,
      steps: [{ key: newKey(), delay: '15', targets: [] }],
    };
  return {
    name: policy.name,
    description: policy.description,
    team_id: policy.team_id ?? '',
    repeat: policy.repeat,
    steps: policy.steps.map((s) => ({
      key: newKey(),
      delay: String(s.delay_minutes),
      targets: s.targets.map((t) => ({ type: t.type, id: t.id })),
    })),
  };
}

function toBody(draft: Draft): EscalationPolicyCreate {
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    team_id: draft.team_id || null,
    repeat: draft.repeat,
    steps: draft.steps.map((s) => ({ delay_minutes: Number(s.delay), targets: s.targets })),
  };
}

function problemsOf(draft: Draft): string[] {
  const problems: string[] = [];
  if (!draft.name.trim()) problems.push('Give the policy a name.');
  if (draft.steps.length === 0) problems.push('Add at least one step.');
  draft.steps.forEach((step, i) => {
    if (step.targets.length === 0) problems.push(`Step ${i + 1} needs someone to page.`);
    const delay = Number(step.delay);
    if (!Number.isInteger(delay) || delay < 1 || delay > 1440)
      problems.push(`Step ${i + 1}: the minutes must be a whole number from 1 to 1440.`);
  });
  return problems;
}

const same = (a: Draft, b: Draft) => JSON.stringify(toBody(a)) === JSON.stringify(toBody(b));

/** `/policies/new` creates; `/policies/:id` edits (managers) or shows (everyone else). */
export default function PolicyPage() {
  const { id = '' } = useParams<{ id: string }>();
  const isNew = id === 'new';
  const canManage = useCan('manager');
  const policy = useQuery({
    queryKey: ['escalation-policies', id],
    queryFn: () => vigil.request<EscalationPolicy>('GET', `/escalation-policies/${encodeURIComponent(id)}`),
    enabled: !isNew,
  });

  const back = (
    <p className="small" style={{ margin: '0 0 6px' }}>
      <Link href="/policies">← Escalation policies</Link>
    </p>
  );
  if (isNew && !canManage)
    return (
      <>
        {back}
        <PageHead title="New escalation policy" />
        <p className="muted">Only managers can create escalation policies.</p>
      </>
    );
  if (!isNew && policy.isPending) return <Loading what="Loading the policy" />;
  if (!isNew && policy.isError)
    return (
      <>
        {back}
        <PageHead title="Escalation policy" />
        {isStatus(policy.error, 404) ? (
          <p>This policy does not exist, or it was deleted.</p>
        ) : (
          <ErrorBox error={policy.error} />
        )}
      </>
    );
  return (
    <>
      {back}
      <PolicyEditor
        key={id}
        initial={policy.data ?? null}
        latest={policy.data ?? null}
        canManage={canManage}
      />
    </>
  );
}

function PolicyEditor({
  initial,
  latest,
  canManage,
}: {
  initial: EscalationPolicy | null;
  latest: EscalationPolicy | null;
  canManage: boolean;
}) {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const users = useUsers();
  const schedules = useSchedules();
  const teams = useTeams();
  const services = useServices();
  const [base, setBase] = useState<EscalationPolicy | null>(initial);
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [conflict, setConflict] = useState<EscalationPolicy | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const dirty = !same(draft, toDraft(base));
  const isNew = base === null;

  // Someone saved meanwhile (seen on a refetch): take it if nothing is edited here, else say so.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a newer server version matters
  useEffect(() => {
    if (!latest || !base || latest.version <= base.version) return;
    if (!dirty) {
      setBase(latest);
      setDraft(toDraft(latest));
    } else setConflict(latest);
  }, [latest]);

  const names = {
    user: namesOf(users.data),
    schedule: namesOf(schedules.data),
    team: namesOf(teams.data),
  };
  const usedBy = base ? (services.data ?? []).filter((s) => s.escalation_policy_id === base.id) : [];

  const edit = (change: (d: Draft) => Draft) => {
    setSaved(false);
    setProblems([]);
    setDraft((d) => change(d));
  };
  const editStep = (index: number, change: (s: DraftStep) => DraftStep) =>
    edit((d) => ({ ...d, steps: d.steps.map((s, i) => (i === index ? change(s) : s)) }));
  const moveStep = (index: number, by: number) =>
    edit((d) => {
      const steps = [...d.steps];
      const [step] = steps.splice(index, 1);
      steps.splice(index + by, 0, step!);
      return { ...d, steps };
    });

  async function fetchCurrent(id: string) {
    return vigil.request<EscalationPolicy>('GET', `/escalation-policies/${encodeURIComponent(id)}`);
  }

  async function save(overwrite = false) {
    const found = problemsOf(draft);
    setProblems(found);
    if (found.length) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const body = toBody(draft);
      if (!base) {
        const created = await vigil.request<EscalationPolicy>('POST', '/escalation-policies', {
          body,
          idempotencyKey,
        });
        client.setQueryData(['escalation-policies', created.id], created);
        await client.invalidateQueries({ queryKey: ['escalation-policies'], exact: true });
        navigate(`/policies/${created.id}`, { replace: true });
        return;
      }
      // The API takes no version in the body: check it here, just before writing.
      const current = await fetchCurrent(base.id);
      if (current.version !== base.version && !overwrite) {
        setConflict(current);
        return;
      }
      const result = await vigil.request<EscalationPolicy>(
        'PATCH',
        `/escalation-policies/${encodeURIComponent(base.id)}`,
        { body },
      );
      setBase(result);
      setDraft(toDraft(result));
      setConflict(null);
      setSaved(true);
      client.setQueryData(['escalation-policies', result.id], result);
      await client.invalidateQueries({ queryKey: ['escalation-policies'] });
    } catch (caught) {
      if (isStatus(caught, 409) && base) {
        try {
          setConflict(await fetchCurrent(base.id));
        } catch {
          setError(caught);
        }
      } else setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const remove = useMutation({
    mutationFn: () => vigil.request<void>('DELETE', `/escalation-policies/${encodeURIComponent(base!.id)}`),
    onSuccess: async () => {
      client.removeQueries({ queryKey: ['escalation-policies', base!.id] });
      await client.invalidateQueries({ queryKey: ['escalation-policies'] });
      navigate('/policies');
    },
  });

  const title = isNew ? 'New escalation policy' : base.name;

  if (!canManage)
    return (
      <>
        <PageHead title={title} />
        {base?.description ? <p className="muted">{base.description}</p> : null}
        <ol className="stack" style={{ paddingLeft: 20 }}>
          {draft.steps.map((step, i) => (
            <li key={step.key}>
              {step.targets
                .map((t) =>
                  `${typeWords[t.type].one} ${names[t.type].get(t.id) ?? `unknown ${t.type}`}`.trim(),
                )
                .join(', ')}
              <span className="small muted">
                {' '}
                ·{' '}
                {stepTiming(
                  draft.steps.map((s) => ({ delay_minutes: s.delay })),
                  i,
                )}
              </span>
            </li>
          ))}
        </ol>
        {draft.repeat > 0 ? <p className="small muted">Repeats {draft.repeat} time(s).</p> : null}
        {base ? <Preview policyId={base.id} dirty={false} /> : null}
        <UsedBy services={usedBy} />
      </>
    );

  return (
    <>
      <PageHead title={title}>
        {!isNew ? (
          <ConfirmButton
            label="Delete policy"
            question={
              usedBy.length > 0
                ? `${usedBy.length} service(s) page through it; choose another policy on them first.`
                : `Delete “${base.name}”?`
            }
            confirmLabel="Delete policy for good"
            busy={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        ) : null}
      </PageHead>
      <ErrorBox error={remove.error} />

      {conflict ? (
        <div className="notice stack" role="alert" style={{ marginBottom: 14 }}>
          <span>
            Someone else changed this policy since you opened it (now version {conflict.version}
            {conflict.updated_at ? `, ${new Date(conflict.updated_at).toLocaleString()}` : ''}). Reload to see
            their version (your edits here are lost), or save yours over it.
          </span>
          <div className="row">
            <button
              type="button"
              onClick={() => {
                setBase(conflict);
                setDraft(toDraft(conflict));
                setConflict(null);
                setError(null);
              }}
            >
              Reload
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => {
                setBase(conflict);
                setConflict(null);
                void save(true);
              }}
            >
              Save mine over theirs
            </button>
          </div>
        </div>
      ) : null}

      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <section className="panel">
          <div className="svc-form-grid">
            <Field label="Name">
              <input
                value={draft.name}
                onChange={(e) => edit((d) => ({ ...d, name: e.target.value }))}
                required
                maxLength={200}
                autoComplete="off"
              />
            </Field>
            <Field label="Team">
              <select
                value={draft.team_id}
                onChange={(e) => edit((d) => ({ ...d, team_id: e.target.value }))}
              >
                <option value="">No team</option>
                {draft.team_id && !teams.data?.some((t) => t.id === draft.team_id) ? (
                  <option value={draft.team_id}>(current team)</option>
                ) : null}
                {(teams.data ?? []).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="When the last step goes unacknowledged">
              <select
                value={draft.repeat}
                onChange={(e) => edit((d) => ({ ...d, repeat: Number(e.target.value) }))}
              >
                <option value={0}>Stop: nobody else is paged</option>
                {[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => (
                  <option key={n} value={n}>
                    Start again from step 1, {n} {n === 1 ? 'time' : 'times'}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <div style={{ marginTop: 10 }}>
            <Field label="Description">
              <textarea
                rows={2}
                maxLength={10_000}
                value={draft.description}
                onChange={(e) => edit((d) => ({ ...d, description: e.target.value }))}
              />
            </Field>
          </div>
        </section>

        <h2 style={{ margin: '6px 0 0' }}>Steps</h2>
        <ol className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {draft.steps.map((step, index) => (
            <StepEditor
              key={step.key}
              index={index}
              count={draft.steps.length}
              step={step}
              repeat={draft.repeat}
              names={names}
              options={{
                schedule: schedules.data ?? [],
                user: users.data ?? [],
                team: teams.data ?? [],
              }}
              onChange={(change) => editStep(index, change)}
              onMove={(by) => moveStep(index, by)}
              onRemove={() => edit((d) => ({ ...d, steps: d.steps.filter((_, i) => i !== index) }))}
            />
          ))}
        </ol>
        <div>
          <button
            type="button"
            disabled={draft.steps.length >= 20}
            onClick={() =>
              edit((d) => ({ ...d, steps: [...d.steps, { key: newKey(), delay: '15', targets: [] }] }))
            }
          >
            Add step
          </button>
        </div>

        {problems.length ? (
          <div className="error" role="alert">
            {problems.map((p) => (
              <div key={p}>{p}</div>
            ))}
          </div>
        ) : null}
        <ErrorBox error={error} />
        <div className="row">
          <button type="submit" className="primary" disabled={busy || (!isNew && !dirty)}>
            {busy ? 'Saving…' : isNew ? 'Create policy' : 'Save'}
          </button>
          {!isNew && dirty ? (
            <button
              type="button"
              onClick={() => {
                setDraft(toDraft(base));
                setProblems([]);
              }}
            >
              Discard changes
            </button>
          ) : null}
          <span className="small muted" aria-live="polite">
            {saved ? 'Saved' : !isNew && dirty ? 'Unsaved changes' : ''}
          </span>
        </div>
      </form>

      {base ? <Preview policyId={base.id} dirty={dirty} /> : null}
      {base ? <UsedBy services={usedBy} /> : null}
    </>
  );
}

interface Named {
  id: string;
  name: string;
}

const typeWords: Record<TargetType, { group: string; one: string }> = {
  schedule: { group: 'Schedules (whoever is on call)', one: 'on call for' },
  user: { group: 'People', one: '' },
  team: { group: 'Teams (every member)', one: 'everyone in' },
};

function StepEditor({
  index,
  count,
  step,
  repeat,
  names,
  options,
  onChange,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  step: DraftStep;
  repeat: number;
  names: Record<TargetType, Map<string, string>>;
  options: Record<TargetType, Named[]>;
  onChange: (change: (s: DraftStep) => DraftStep) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const [pick, setPick] = useState('');
  const label = `Step ${index + 1}`;
  const taken = new Set(step.targets.map((t) => `${t.type}:${t.id}`));
  const last = index === count - 1;
  const nameOf = (t: Target) => names[t.type].get(t.id) ?? `unknown ${t.type}`;

  function add() {
    const [type, ...rest] = pick.split(':');
    const id = rest.join(':');
    if (!type || !id || taken.has(pick)) return;
    onChange((s) => ({ ...s, targets: [...s.targets, { type: type as TargetType, id }] }));
    setPick('');
  }

  return (
    <li className="panel svc-step" style={{ marginBottom: 0 }}>
      <fieldset aria-label={label} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <div className="row">
          <h3 style={{ margin: 0 }}>{label}</h3>
          <div className="row right">
            <button
              type="button"
              className="small"
              disabled={index === 0}
              onClick={() => onMove(-1)}
              aria-label={`Move step ${index + 1} up`}
            >
              ↑ Up
            </button>
            <button
              type="button"
              className="small"
              disabled={last}
              onClick={() => onMove(1)}
              aria-label={`Move step ${index + 1} down`}
            >
              ↓ Down
            </button>
            <button
              type="button"
              className="small danger"
              disabled={count === 1}
              onClick={onRemove}
              aria-label={`Remove step ${index + 1}`}
            >
              Remove step
            </button>
          </div>
        </div>

        {step.targets.length === 0 ? (
          <p className="small" style={{ color: 'var(--triggered)' }}>
            Nobody yet: add a schedule, a person or a team below.
          </p>
        ) : (
          <ul className="svc-people" style={{ margin: '8px 0' }}>
            {step.targets.map((t) => (
              <li key={`${t.type}:${t.id}`} className="row">
                <span className="grow">
                  {typeWords[t.type].one ? (
                    <span className="small muted">{typeWords[t.type].one} </span>
                  ) : null}
                  <strong>{nameOf(t)}</strong>
                </span>
                <button
                  type="button"
                  className="link small"
                  aria-label={`Remove ${nameOf(t)} from step ${index + 1}`}
                  onClick={() =>
                    onChange((s) => ({
                      ...s,
                      targets: s.targets.filter((x) => !(x.type === t.type && x.id === t.id)),
                    }))
                  }
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}

        <div className="row" style={{ alignItems: 'flex-end' }}>
          <Field label="Add someone to page">
            <select value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value="">Choose…</option>
              {(['schedule', 'user', 'team'] as const).map((type) =>
                options[type].length ? (
                  <optgroup key={type} label={typeWords[type].group}>
                    {options[type].map((o) => (
                      <option key={o.id} value={`${type}:${o.id}`} disabled={taken.has(`${type}:${o.id}`)}>
                        {o.name}
                      </option>
                    ))}
                  </optgroup>
                ) : null,
              )}
            </select>
          </Field>
          <button type="button" onClick={add} disabled={!pick || step.targets.length >= 20}>
            Add
          </button>
        </div>
        {options.schedule.length === 0 && index === 0 ? (
          <p className="small muted">
            Tip: page a schedule rather than a person, so whoever is on call gets it.{' '}
            <Link href="/schedules">Create a schedule</Link>
          </p>
        ) : null}

        <div className="row" style={{ marginTop: 10 }}>
          <Field
            label={
              last && repeat === 0
                ? 'Minutes to wait (used only if the policy repeats)'
                : 'Minutes without an acknowledgement'
            }
          >
            <input
              type="number"
              min={1}
              max={1440}
              inputMode="numeric"
              value={step.delay}
              onChange={(e) => {
                const delay = e.target.value;
                onChange((s) => ({ ...s, delay }));
              }}
              style={{ width: 110 }}
            />
          </Field>
          <span className="small muted" style={{ alignSelf: 'flex-end', paddingBottom: 8 }}>
            {!last
              ? `then step ${index + 2} is paged`
              : repeat > 0
                ? 'then it starts again from step 1'
                : 'then nobody else is paged'}
          </span>
        </div>
      </fieldset>
    </li>
  );
}

function Preview({ policyId, dirty }: { policyId: string; dirty: boolean }) {
  const preview = usePolicyPreview(policyId);
  if (preview.isPending) return <Loading what="Working out who would be paged" />;
  if (preview.isError)
    return (
      <section className="panel">
        <h2 style={{ marginTop: 0 }}>Who would be paged now</h2>
        <ErrorBox error={preview.error} />
      </section>
    );
  if (!preview.data) return null; // an older server without the preview endpoint
  return (
    <section className="panel" aria-labelledby="svc-preview-title">
      <h2 id="svc-preview-title" style={{ marginTop: 0 }}>
        Who would be paged now
      </h2>
      {dirty ? (
        <p className="notice small">This shows the saved policy: save to see your changes here.</p>
      ) : null}
      <ol className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {preview.data.steps.map((step) => (
          <li key={step.index}>
            <div className="small muted">
              Step {step.index + 1} · {stepTiming(preview.data!.steps, step.index)}
            </div>
            <PreviewStepPeople step={step} />
          </li>
        ))}
      </ol>
      <p className="small muted" style={{ marginBottom: 0 }}>
        Reachable: a high-urgency page would leave now for a verified contact method. As of{' '}
        {new Date(preview.data.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.
      </p>
    </section>
  );
}

function UsedBy({ services }: { services: { id: string; name: string }[] }) {
  return (
    <section className="panel">
      <h2 style={{ marginTop: 0 }}>Services using it</h2>
      {services.length === 0 ? (
        <p className="muted" style={{ marginBottom: 0 }}>
          No service pages through this policy yet. Choose it in a service’s settings.{' '}
          <Link href="/services">Services</Link>
        </p>
      ) : (
        <ul style={{ margin: 0, paddingLeft: 20 }}>
          {services.map((s) => (
            <li key={s.id}>
              <Link href={`/services/${s.id}`}>{s.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
