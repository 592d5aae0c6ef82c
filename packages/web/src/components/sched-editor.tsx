import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schedule, ScheduleCreate, ScheduleLayer, SchedulePreview, User } from '@vigil/sdk/contract';
import { type ReactNode, useMemo, useState } from 'react';
import { VigilApiError, vigil } from '../api.js';
import { isStatus, namesOf, useTeams, useUsers } from '../data.js';
import { useSession } from '../session.js';
import { ErrorBox, Field } from '../ui.js';
import { ConfirmButton } from './common.js';
import {
  addDays,
  browserZone,
  draftFinal,
  fmtDate,
  holesIn,
  layerPieces,
  localOf,
  scheduleProblems,
  timeZones,
  weekday,
} from './sched-calc.js';
import { Person, ShiftDiff } from './sched-common.js';
import { Legend, Timeline, type TimelineRow, windowFor } from './sched-timeline.js';

/**
 * Creating and changing a schedule: name, zone, layers (rotation, people in order, restrictions,
 * holidays). Before anything is saved the server's dry run says what the change does to the next
 * 30 days; a live drawing of the draft's next week is computed here with the same calculators.
 */

type RotationType = ScheduleLayer['rotation']['type'];
type HolidayMode = 'none' | 'only' | 'exclude';

interface DraftRestriction {
  type: 'daily' | 'weekly';
  start_day: number;
  start_time: string;
  end_day: number;
  end_time: string;
}

interface DraftLayer {
  key: number;
  name: string;
  users: string[];
  type: RotationType;
  length: string;
  handoff: string;
  restrictions: DraftRestriction[];
  holidayMode: HolidayMode;
  holidayDates: string;
}

interface Draft {
  name: string;
  description: string;
  team_id: string;
  time_zone: string;
  layers: DraftLayer[];
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const UNIT: Record<RotationType, [string, string]> = {
  hourly: ['hour', 'hours'],
  daily: ['day', 'days'],
  weekly: ['week', 'weeks'],
};

let nextKey = 1;

/** A new layer: weekly, handing off on this week's Monday at 09:00 in the zone. */
function newLayer(index: number, zone: string): DraftLayer {
  const today = localOf(Date.now(), zone).slice(0, 10);
  const monday = addDays(today, 1 - weekday(today));
  return {
    key: nextKey++,
    name: index === 0 ? 'Primary' : `Layer ${index + 1}`,
    users: [],
    type: 'weekly',
    length: '1',
    handoff: `${monday}T09:00`,
    restrictions: [],
    holidayMode: 'none',
    holidayDates: '',
  };
}

function draftOf(schedule: Schedule | undefined, user: User): Draft {
  if (!schedule) {
    const zone = user.time_zone || browserZone();
    return { name: '', description: '', team_id: '', time_zone: zone, layers: [newLayer(0, zone)] };
  }
  return {
    name: schedule.name,
    description: schedule.description,
    team_id: schedule.team_id ?? '',
    time_zone: schedule.time_zone,
    layers: schedule.layers.map((l) => ({
      key: nextKey++,
      name: l.name,
      users: [...l.users],
      type: l.rotation.type,
      length: String(l.rotation.shift_length),
      handoff: l.rotation.handoff_at.slice(0, 16),
      restrictions: (l.restrictions ?? []).map((r) => ({
        type: r.type,
        start_day: r.start_day ?? 1,
        start_time: r.start_time,
        end_day: r.end_day ?? 5,
        end_time: r.end_time,
      })),
      holidayMode: l.holidays?.mode ?? 'none',
      holidayDates: (l.holidays?.dates ?? []).join('\n'),
    })),
  };
}

function bodyOf(draft: Draft): ScheduleCreate {
  return {
    name: draft.name.trim(),
    description: draft.description,
    team_id: draft.team_id || null,
    time_zone: draft.time_zone,
    layers: draft.layers.map((l) => ({
      name: l.name,
      users: l.users,
      rotation: { type: l.type, shift_length: Number(l.length), handoff_at: l.handoff },
      ...(l.restrictions.length
        ? {
            restrictions: l.restrictions.map((r) =>
              r.type === 'daily'
                ? { type: 'daily' as const, start_time: r.start_time, end_time: r.end_time }
                : r,
            ),
          }
        : {}),
      ...(l.holidayMode !== 'none'
        ? { holidays: { mode: l.holidayMode, dates: l.holidayDates.split(/[\s,;]+/).filter(Boolean) } }
        : {}),
    })),
  };
}

/** "every week on Monday at 09:00" */
function describeRotation(l: DraftLayer): string {
  const n = Number(l.length);
  const every = n === 1 ? `every ${UNIT[l.type][0]}` : `every ${n} ${UNIT[l.type][1]}`;
  const time = l.handoff.slice(11, 16);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(l.handoff) || !Number.isInteger(n) || n < 1) return '';
  if (l.type === 'weekly')
    return `Hands over ${every} on ${DAYS[weekday(l.handoff.slice(0, 10)) - 1]} at ${time}`;
  if (l.type === 'daily') return `Hands over ${every} at ${time}`;
  return `Hands over ${every}, counting from ${time}`;
}

const presets: { label: string; windows: DraftRestriction[] }[] = [
  {
    label: 'Business hours',
    windows: [1, 2, 3, 4, 5].map((d) => ({
      type: 'weekly',
      start_day: d,
      start_time: '09:00',
      end_day: d,
      end_time: '17:00',
    })),
  },
  {
    label: 'Nights',
    windows: [{ type: 'daily', start_day: 1, start_time: '17:00', end_day: 1, end_time: '09:00' }],
  },
  {
    label: 'Weekends',
    windows: [{ type: 'weekly', start_day: 5, start_time: '17:00', end_day: 1, end_time: '09:00' }],
  },
  {
    label: 'Daily window',
    windows: [{ type: 'daily', start_day: 1, start_time: '09:00', end_day: 1, end_time: '17:00' }],
  },
  {
    label: 'Weekly window',
    windows: [{ type: 'weekly', start_day: 1, start_time: '09:00', end_day: 5, end_time: '17:00' }],
  },
];

/** Field paths as a person reads them: "Layer 2 (Backup), first hand-off". */
function describePath(path: string, draft: Draft): string {
  const m = /^\/layers\/(\d+)(.*)$/.exec(path);
  if (!m) return path.replace(/^\//, '').replace(/_/g, ' ') || 'schedule';
  const i = Number(m[1]);
  const layer = `Layer ${i + 1}${draft.layers[i]?.name ? ` (${draft.layers[i].name})` : ''}`;
  const rest = m[2] ?? '';
  const what = rest.startsWith('/rotation/handoff_at')
    ? 'first hand-off'
    : rest.startsWith('/rotation/shift_length')
      ? 'shift length'
      : rest.startsWith('/rotation')
        ? 'rotation'
        : rest.startsWith('/restrictions/')
          ? `restriction ${Number(rest.split('/')[2]) + 1}`
          : rest.startsWith('/holidays')
            ? 'holiday dates'
            : rest.startsWith('/users')
              ? 'people'
              : rest.replace(/^\//, '');
  return what ? `${layer}, ${what}` : layer;
}

export function ScheduleEditor({
  schedule,
  onSaved,
  onCancel,
  onDeleted,
}: {
  schedule?: Schedule;
  onSaved: (schedule: Schedule) => void;
  onCancel: () => void;
  onDeleted?: () => void;
}) {
  const { user } = useSession();
  const client = useQueryClient();
  const users = useUsers();
  const teams = useTeams();
  const [draft, setDraft] = useState<Draft>(() => draftOf(schedule, user));
  // The version this edit started from: a save in between is refused (409), not overwritten.
  const [baseVersion] = useState(schedule?.version);
  const [tried, setTried] = useState(false);
  const [preview, setPreview] = useState<{ key: string; answer: SchedulePreview } | null>(null);
  const zones = useMemo(() => timeZones(draft.time_zone), [draft.time_zone]);

  const body = useMemo(() => bodyOf(draft), [draft]);
  const bodyKey = JSON.stringify(body);
  const problems = useMemo(() => {
    const list = scheduleProblems(body);
    if (!body.name) list.unshift({ path: '/name', message: 'give the schedule a name' });
    return list;
  }, [body]);

  const names = useMemo(() => namesOf(users.data), [users.data]);
  const nameOf = (id: string) => names.get(id) ?? id;

  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const updateLayer = (i: number, change: Partial<DraftLayer>) =>
    setDraft((d) => ({ ...d, layers: d.layers.map((l, j) => (j === i ? { ...l, ...change } : l)) }));
  const moveLayer = (i: number, by: -1 | 1) =>
    setDraft((d) => {
      const layers = [...d.layers];
      const [layer] = layers.splice(i, 1);
      layers.splice(i + by, 0, layer!);
      return { ...d, layers };
    });

  const previewing = useMutation({
    mutationFn: (b: ScheduleCreate) =>
      schedule
        ? vigil.schedules.previewUpdate(schedule.id, {
            ...b,
            ...(baseVersion !== undefined ? { version: baseVersion } : {}),
          })
        : vigil.schedules.previewCreate(b),
    onSuccess: (answer, b) => setPreview({ key: JSON.stringify(b), answer }),
  });
  const saving = useMutation({
    mutationFn: (b: ScheduleCreate) =>
      schedule
        ? vigil.schedules.update(schedule.id, {
            ...b,
            ...(baseVersion !== undefined ? { version: baseVersion } : {}),
          })
        : vigil.schedules.create(b),
    onSuccess: async (saved) => {
      client.setQueryData(['schedules', saved.id], saved);
      await client.invalidateQueries({ queryKey: ['schedules'] });
      void client.invalidateQueries({ queryKey: ['oncalls'] });
      onSaved(saved);
    },
  });
  const deleting = useMutation({
    mutationFn: () => vigil.schedules.delete(schedule!.id),
    onSuccess: async () => {
      client.removeQueries({ queryKey: ['schedules', schedule!.id] });
      await client.invalidateQueries({ queryKey: ['schedules'] });
      onDeleted?.();
    },
  });

  const serverError = previewing.error ?? saving.error;
  const serverFields = new Map(
    serverError instanceof VigilApiError ? serverError.errors.map((e) => [e.path, e.message]) : [],
  );
  const shownProblems = tried ? problems : [];
  const errorAt = (prefix: string, exact = true) => {
    const hit =
      shownProblems.find((p) => (exact ? p.path === prefix : p.path.startsWith(prefix))) ??
      [...serverFields]
        .map(([path, message]) => ({ path, message }))
        .find((p) => (exact ? p.path === prefix : p.path.startsWith(prefix)));
    return hit ? (
      <span className="small sched-err" role="alert">
        {hit.message}
      </span>
    ) : null;
  };

  const currentPreview = preview && preview.key === bodyKey ? preview.answer : null;

  function runPreview() {
    setTried(true);
    saving.reset();
    if (problems.length > 0) return;
    previewing.mutate(body);
  }

  // The live drawing of the draft's current week (overrides aside).
  const live = useMemo(() => {
    const nameOf = (id: string) => names.get(id) ?? id;
    if (problems.some((p) => p.path !== '/name')) return null;
    const w = windowFor('week', localOf(Date.now(), body.time_zone).slice(0, 10), body.time_zone);
    const final = draftFinal(body, w);
    if (!final) return null;
    const rows: TimelineRow[] = body.layers.map((l, i) => ({
      key: `layer-${draft.layers[i]?.key ?? i}`,
      label: `${i + 1}. ${l.name || 'Layer'}`,
      bars: layerPieces(body, i, w).map((p) => ({
        key: `${p.start}-${p.userId}`,
        userId: p.userId,
        name: nameOf(p.userId),
        start: p.start,
        end: p.end,
      })),
      empty: l.users.length ? 'Not covering this week' : 'Nobody in this layer yet',
    }));
    rows.push({
      key: 'final',
      label: 'Final',
      final: true,
      bars: final.map((p) => ({
        key: `${p.start}-${p.userId}`,
        userId: p.userId,
        name: nameOf(p.userId),
        start: p.start,
        end: p.end,
      })),
      gaps: holesIn(final, w),
    });
    const people = [...new Set(final.map((p) => p.userId))].map((id) => ({ id, name: nameOf(id) }));
    return { w, rows, people };
  }, [body, problems, names, draft.layers]);

  const creating = !schedule;
  const heading = creating ? 'New schedule' : `Edit ${schedule.name}`;

  return (
    <form
      className="stack"
      aria-label={heading}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        runPreview();
      }}
    >
      <div className="row sched-fields">
        <Field label="Name">
          <input
            value={draft.name}
            onChange={(e) => update({ name: e.target.value })}
            maxLength={200}
            required
            placeholder="Payments on call"
          />
          {errorAt('/name')}
        </Field>
        <Field label="Time zone">
          <select value={draft.time_zone} onChange={(e) => update({ time_zone: e.target.value })}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
          {errorAt('/time_zone')}
        </Field>
        {teams.data && teams.data.length > 0 ? (
          <Field label="Team">
            <select value={draft.team_id} onChange={(e) => update({ team_id: e.target.value })}>
              <option value="">No team</option>
              {teams.data.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            {errorAt('/team_id')}
          </Field>
        ) : null}
      </div>
      <Field label="Description (optional)">
        <textarea
          value={draft.description}
          onChange={(e) => update({ description: e.target.value })}
          rows={2}
          style={{ minHeight: 0 }}
        />
      </Field>
      <p className="small muted" style={{ margin: 0 }}>
        Every time below is local time in <strong>{draft.time_zone}</strong>; hand-offs stay at the same
        wall-clock time across daylight saving changes.
      </p>

      <div>
        <h3>Layers</h3>
        <p className="small muted" style={{ marginTop: 0 }}>
          Layers further down this list win: where a later layer has someone on call, that person is on call;
          where it has nobody (outside its restrictions) the earlier layers show through.
        </p>
        {draft.layers.length === 0 ? (
          <p className="notice small">No layers: nobody is ever on call. Add a layer.</p>
        ) : null}
        <div className="stack">
          {draft.layers.map((layer, i) => (
            <LayerEditor
              key={layer.key}
              layer={layer}
              index={i}
              count={draft.layers.length}
              users={users.data ?? []}
              nameOf={nameOf}
              zone={draft.time_zone}
              errorAt={(path, exact) => errorAt(`/layers/${i}${path}`, exact)}
              onChange={(change) => updateLayer(i, change)}
              onMove={(by) => moveLayer(i, by)}
              onRemove={() => update({ layers: draft.layers.filter((_, j) => j !== i) })}
            />
          ))}
        </div>
        <div className="row" style={{ marginTop: 10 }}>
          <button
            type="button"
            onClick={() =>
              update({ layers: [...draft.layers, newLayer(draft.layers.length, draft.time_zone)] })
            }
          >
            Add layer
          </button>
        </div>
      </div>

      {live ? (
        <div>
          <h3>This week with this draft</h3>
          <p className="small muted" style={{ marginTop: 0 }}>
            {live.w.label}, without overrides. Drawn here as you type; nothing is saved yet.
          </p>
          <Timeline
            window={live.w}
            zone={draft.time_zone}
            rows={live.rows}
            now={Date.now()}
            label="Draft timeline"
          />
          <Legend people={live.people} />
        </div>
      ) : null}

      {tried && problems.length > 0 ? (
        <div className="error" role="alert">
          Fix these first:
          <ul style={{ margin: '4px 0 0' }}>
            {problems.map((p) => (
              <li key={p.path}>
                {describePath(p.path, draft)}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {serverError ? (
        <div className="stack">
          <ErrorBox error={serverError} />
          {isStatus(serverError, 409) && !creating ? (
            <p className="small" style={{ margin: 0 }}>
              Someone saved this schedule after you started editing. Cancel and edit again to start from their
              version.
            </p>
          ) : null}
        </div>
      ) : null}

      {currentPreview ? (
        <section className="panel sched-preview" aria-label="Preview of the change">
          <ShiftDiff preview={currentPreview} creating={creating} />
          <div className="row" style={{ marginTop: 12 }}>
            <button
              type="button"
              className="primary"
              disabled={saving.isPending}
              onClick={() => saving.mutate(body)}
            >
              {saving.isPending ? 'Saving…' : creating ? 'Create schedule' : 'Save schedule'}
            </button>
            <button type="button" onClick={() => setPreview(null)}>
              Keep editing
            </button>
          </div>
        </section>
      ) : (
        <div className="row">
          <button type="submit" className="primary" disabled={previewing.isPending}>
            {previewing.isPending ? 'Working out the changes…' : 'Preview changes'}
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <span className="small muted">
            {creating
              ? 'You will see the shifts it makes before it is created.'
              : 'You will see what moves before anything is saved.'}
          </span>
          {!creating && onDeleted ? (
            <span className="right">
              <ConfirmButton
                inline
                label="Delete schedule"
                question="Delete it for good? Escalation policies that page it stop reaching anyone through it."
                confirmLabel="Delete"
                busy={deleting.isPending}
                onConfirm={() => deleting.mutate()}
              />
            </span>
          ) : null}
        </div>
      )}
      <ErrorBox error={deleting.error} />
    </form>
  );
}

function LayerEditor({
  layer,
  index,
  count,
  users,
  nameOf,
  zone,
  errorAt,
  onChange,
  onMove,
  onRemove,
}: {
  layer: DraftLayer;
  index: number;
  count: number;
  users: User[];
  nameOf: (id: string) => string;
  zone: string;
  errorAt: (path: string, exact?: boolean) => ReactNode;
  onChange: (change: Partial<DraftLayer>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const [adding, setAdding] = useState('');
  const [preset, setPreset] = useState(presets[0]!.label);
  const title = `Layer ${index + 1}`;
  const moveUser = (j: number, by: -1 | 1) => {
    const list = [...layer.users];
    const [id] = list.splice(j, 1);
    list.splice(j + by, 0, id!);
    onChange({ users: list });
  };
  const setRestriction = (j: number, change: Partial<DraftRestriction>) =>
    onChange({ restrictions: layer.restrictions.map((r, k) => (k === j ? { ...r, ...change } : r)) });
  const rotation = describeRotation(layer);
  const handoffDate = layer.handoff.slice(0, 10);

  return (
    <fieldset className="sched-layer">
      <legend>{title}</legend>
      <div className="row sched-layer-head">
        <Field label="Layer name">
          <input value={layer.name} maxLength={200} onChange={(e) => onChange({ name: e.target.value })} />
        </Field>
        <span className="right row">
          <button
            type="button"
            disabled={index === 0}
            onClick={() => onMove(-1)}
            aria-label={`Move ${title} up`}
          >
            ↑ Up
          </button>
          <button
            type="button"
            disabled={index === count - 1}
            onClick={() => onMove(1)}
            aria-label={`Move ${title} down`}
          >
            ↓ Down
          </button>
          <ConfirmButton
            inline
            label={`Remove ${title}`}
            question="Remove this layer?"
            confirmLabel="Remove"
            onConfirm={onRemove}
          />
        </span>
      </div>

      <div className="row sched-fields">
        <Field label="Rotation">
          <select value={layer.type} onChange={(e) => onChange({ type: e.target.value as RotationType })}>
            <option value="weekly">Weekly</option>
            <option value="daily">Daily</option>
            <option value="hourly">Hourly</option>
          </select>
        </Field>
        <Field label={`Shift length (${UNIT[layer.type][1]})`}>
          <input
            type="number"
            min={1}
            max={1000}
            step={1}
            value={layer.length}
            onChange={(e) => onChange({ length: e.target.value })}
            style={{ width: 110 }}
          />
          {errorAt('/rotation/shift_length')}
        </Field>
        <Field label={`First hand-off (${zone})`}>
          <input
            type="datetime-local"
            value={layer.handoff}
            onChange={(e) => onChange({ handoff: e.target.value.slice(0, 16) })}
          />
          {errorAt('/rotation/handoff_at')}
        </Field>
      </div>
      <p className="small muted" style={{ margin: '4px 0 0' }}>
        {rotation ? `${rotation}. ` : ''}
        {layer.users.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(handoffDate)
          ? `${nameOf(layer.users[0]!)} takes over on ${fmtDate(handoffDate)} at ${layer.handoff.slice(11, 16)}${
              layer.users.length > 1 ? `, then ${nameOf(layer.users[1]!)}` : ''
            }; the rotation also runs back before that date.`
          : 'The first person in the list takes over at the first hand-off.'}
      </p>

      <h4>People, in turn order</h4>
      {layer.users.length === 0 ? (
        <p className="small muted">Nobody yet: add people in the order they take turns.</p>
      ) : (
        <ol className="sched-people">
          {layer.users.map((id, j) => (
            // A person may take several turns in one rotation: the position is part of the key.
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is positional
            <li key={`${id}-${j}`}>
              <div className="row">
                <span className="grow">
                  <Person id={id} name={nameOf(id)} />
                </span>
                <button
                  type="button"
                  className="small"
                  disabled={j === 0}
                  onClick={() => moveUser(j, -1)}
                  aria-label={`Move ${nameOf(id)} earlier in ${title}`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="small"
                  disabled={j === layer.users.length - 1}
                  onClick={() => moveUser(j, 1)}
                  aria-label={`Move ${nameOf(id)} later in ${title}`}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="small danger"
                  onClick={() => onChange({ users: layer.users.filter((_, k) => k !== j) })}
                  aria-label={`Remove ${nameOf(id)} from ${title}`}
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      <div className="row">
        <select
          aria-label={`Person to add to ${title}`}
          value={adding}
          onChange={(e) => setAdding(e.target.value)}
        >
          <option value="">Choose a person…</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
              {layer.users.includes(u.id) ? ' (already in)' : ''}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={!adding}
          onClick={() => {
            onChange({ users: [...layer.users, adding] });
            setAdding('');
          }}
        >
          Add person
        </button>
        {errorAt('/users', false)}
      </div>

      <h4>Restrictions</h4>
      {layer.restrictions.length === 0 ? (
        <p className="small muted">None: this layer covers all the time.</p>
      ) : (
        <div className="stack" style={{ gap: 6 }}>
          <p className="small muted" style={{ margin: 0 }}>
            The layer covers only these windows; an end at or before the start runs into the next day (or
            week).
          </p>
          {layer.restrictions.map((r, j) => (
            <fieldset
              // biome-ignore lint/suspicious/noArrayIndexKey: restrictions have no identity but their place
              key={j}
              className="sched-group sched-restriction"
              aria-label={`Restriction ${j + 1}`}
            >
              <select
                aria-label="Repeats"
                value={r.type}
                onChange={(e) => setRestriction(j, { type: e.target.value as 'daily' | 'weekly' })}
              >
                <option value="daily">Every day</option>
                <option value="weekly">Every week</option>
              </select>
              {r.type === 'weekly' ? (
                <DaySelect
                  label="From day"
                  value={r.start_day}
                  onChange={(day) => setRestriction(j, { start_day: day })}
                />
              ) : null}
              <input
                type="time"
                aria-label="From time"
                value={r.start_time}
                onChange={(e) => setRestriction(j, { start_time: e.target.value.slice(0, 5) })}
              />
              <span>to</span>
              {r.type === 'weekly' ? (
                <DaySelect
                  label="To day"
                  value={r.end_day}
                  onChange={(day) => setRestriction(j, { end_day: day })}
                />
              ) : null}
              <input
                type="time"
                aria-label="To time"
                value={r.end_time}
                onChange={(e) => setRestriction(j, { end_time: e.target.value.slice(0, 5) })}
              />
              <button
                type="button"
                className="small danger"
                onClick={() => onChange({ restrictions: layer.restrictions.filter((_, k) => k !== j) })}
                aria-label={`Remove restriction ${j + 1}`}
              >
                Remove
              </button>
              {errorAt(`/restrictions/${j}`, false)}
            </fieldset>
          ))}
        </div>
      )}
      <div className="row" style={{ marginTop: 6 }}>
        <select
          aria-label={`Restriction to add to ${title}`}
          value={preset}
          onChange={(e) => setPreset(e.target.value)}
        >
          {presets.map((p) => (
            <option key={p.label} value={p.label}>
              {p.label === 'Business hours'
                ? 'Business hours (Mon–Fri 09:00–17:00)'
                : p.label === 'Nights'
                  ? 'Nights (17:00–09:00)'
                  : p.label === 'Weekends'
                    ? 'Weekends (Fri 17:00 – Mon 09:00)'
                    : p.label === 'Daily window'
                      ? 'A daily window'
                      : 'A weekly window'}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() =>
            onChange({
              restrictions: [
                ...layer.restrictions,
                ...(presets.find((p) => p.label === preset)?.windows ?? []).map((w) => ({ ...w })),
              ],
            })
          }
        >
          Add restriction
        </button>
      </div>

      <h4>Holidays</h4>
      <div className="row sched-fields">
        <Field label="Holiday calendar">
          <select
            value={layer.holidayMode}
            onChange={(e) => onChange({ holidayMode: e.target.value as HolidayMode })}
          >
            <option value="none">None</option>
            <option value="exclude">Off on these dates (lower layers cover)</option>
            <option value="only">Only on these dates</option>
          </select>
        </Field>
        {layer.holidayMode !== 'none' ? (
          <Field label="Dates (YYYY-MM-DD, one per line)">
            <textarea
              value={layer.holidayDates}
              onChange={(e) => onChange({ holidayDates: e.target.value })}
              rows={3}
              placeholder={'2026-12-25\n2026-12-26'}
              style={{ minHeight: 0, minWidth: 200 }}
            />
            {errorAt('/holidays', false)}
          </Field>
        ) : null}
      </div>
    </fieldset>
  );
}

/** A day of the week, Monday = 1, as a restriction's start or end. */
function DaySelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: number;
  onChange: (day: number) => void;
}) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(Number(e.target.value))}>
      {DAYS.map((d, k) => (
        <option key={d} value={k + 1}>
          {d}
        </option>
      ))}
    </select>
  );
}
