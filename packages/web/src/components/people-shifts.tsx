import { useQuery } from '@tanstack/react-query';
import type { Schedule, Shift } from '@vigil/sdk/contract';
import { Link } from 'wouter';
import { vigil } from '../api.js';
import { allOf, isStatus, useCalendarFeed } from '../data.js';
import { ErrorBox, Loading, when } from '../ui.js';
import { ConfirmButton, ListTable, shortWhen } from './common.js';
import { SecretValue } from './people-common.js';

/**
 * My shifts over the next 14 days, from every schedule's final calendar (overrides included: someone
 * may cover a shift on a schedule they are not in), and the secret calendar-feed link.
 */

const DAYS = 14;

interface MyShift {
  schedule: Schedule;
  start: string;
  end: string;
  layers: string[];
}

async function myShifts(userId: string): Promise<MyShift[]> {
  const schedules = await allOf<Schedule>('/schedules');
  const since = new Date();
  const until = new Date(since.getTime() + DAYS * 86_400_000);
  const found: MyShift[] = [];
  // A few schedules at a time: a large installation should not open a hundred requests at once.
  for (let i = 0; i < schedules.length; i += 6) {
    const batch = schedules.slice(i, i + 6);
    const answers = await Promise.all(
      batch.map((schedule) =>
        vigil.schedules.shifts(schedule.id, { since: since.toISOString(), until: until.toISOString() }),
      ),
    );
    answers.forEach((answer, j) => {
      const schedule = batch[j]!;
      const mine = answer.data
        .filter((s: Shift) => s.user_id === userId)
        .sort((a, b) => a.start.localeCompare(b.start));
      for (const shift of mine) {
        const layer = shift.layer ?? 'override';
        const last = found.at(-1);
        // Back-to-back pieces of the same schedule (layers, hand-offs to yourself) read as one shift.
        if (last && last.schedule.id === schedule.id && Date.parse(last.end) >= Date.parse(shift.start)) {
          if (Date.parse(shift.end) > Date.parse(last.end)) last.end = shift.end;
          if (!last.layers.includes(layer)) last.layers.push(layer);
        } else {
          found.push({ schedule, start: shift.start, end: shift.end, layers: [layer] });
        }
      }
    });
  }
  return found.sort((a, b) => a.start.localeCompare(b.start));
}

function duration(start: string, end: string): string {
  const hours = (Date.parse(end) - Date.parse(start)) / 3_600_000;
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round(hours / 24)} days`;
}

export function MyShifts({ userId }: { userId: string }) {
  const shifts = useQuery({
    queryKey: ['people', 'my-shifts', userId],
    queryFn: () => myShifts(userId),
    staleTime: 60_000,
  });
  const now = Date.now();

  return (
    <section className="panel" aria-labelledby="shifts-title" id="shifts">
      <h2 id="shifts-title" className="people-panel-title">
        My shifts
      </h2>
      <p className="small muted">The next {DAYS} days, across every schedule, in your browser’s time.</p>
      {shifts.isPending ? <Loading what="Looking through the schedules" /> : null}
      {isStatus(shifts.error, 403) ? (
        <p className="muted">Your role cannot read schedules; ask an admin if you should be on call.</p>
      ) : (
        <ErrorBox error={shifts.error} />
      )}
      {shifts.isSuccess && shifts.data.length === 0 ? (
        <p className="muted">
          You have no on-call shifts in the next {DAYS} days. <Link href="/schedules">See the schedules</Link>
          .
        </p>
      ) : null}
      {shifts.isSuccess && shifts.data.length > 0 ? (
        <ListTable columns={['Schedule', 'From', 'Until', { label: 'Length', hidePhone: true }]}>
          {shifts.data.map((shift) => {
            const onNow = Date.parse(shift.start) <= now && now < Date.parse(shift.end);
            return (
              <tr key={`${shift.schedule.id}-${shift.start}`}>
                <td className="people-wrap">
                  <Link href={`/schedules/${shift.schedule.id}`}>{shift.schedule.name}</Link>{' '}
                  {onNow ? <span className="badge triggered">on call now</span> : null}
                  <div className="small muted">{shift.layers.join(', ')}</div>
                </td>
                <td title={when(shift.start)}>{onNow ? 'now' : shortWhen(shift.start, true)}</td>
                <td title={when(shift.end)}>{shortWhen(shift.end, true)}</td>
                <td className="hide-phone">{duration(shift.start, shift.end)}</td>
              </tr>
            );
          })}
        </ListTable>
      ) : null}
    </section>
  );
}

export function CalendarFeed({ userId }: { userId: string }) {
  // The link is a secret: it stays off the screen (shared screens, screenshots) until asked for.
  const { shown, setShown, feed, rotate, revoke } = useCalendarFeed({
    path: `/users/${encodeURIComponent(userId)}/calendar-feed`,
    queryKey: ['people', 'calendar-feed', userId],
  });

  return (
    <section className="panel" aria-labelledby="feed-title">
      <h2 id="feed-title" className="people-panel-title">
        Calendar feed
      </h2>
      <p className="small muted">
        Your shifts in Google Calendar, Outlook or Apple Calendar: subscribe to your secret link. Anyone with
        the link can read your shifts, so keep it to yourself.
      </p>
      {!shown ? (
        <div className="row">
          <button type="button" onClick={() => setShown(true)}>
            Show my calendar link
          </button>
        </div>
      ) : null}
      {shown && feed.isPending ? <Loading what="Loading the calendar link" /> : null}
      <ErrorBox error={feed.error} />
      {shown && feed.isSuccess && !feed.data ? (
        <div className="stack">
          <p className="muted" style={{ margin: 0 }}>
            You have no calendar link yet.
          </p>
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={rotate.isPending}
              onClick={() => rotate.mutate()}
            >
              {rotate.isPending ? 'Creating…' : 'Create calendar link'}
            </button>
          </div>
        </div>
      ) : null}
      {shown && feed.data ? (
        <div className="stack">
          <SecretValue value={feed.data.url} label="Calendar feed URL" copyName="Copy link" />
          <div className="row">
            <a className="button" href={feed.data.webcal_url}>
              Open in calendar app
            </a>
            <ConfirmButton
              label="New link"
              className=""
              question="Make a new link? The current one stops working."
              confirmLabel="Make new link"
              busy={rotate.isPending}
              onConfirm={() => rotate.mutate()}
            />
            <ConfirmButton
              label="Revoke link"
              question="Revoke the link? Calendars subscribed to it stop updating."
              confirmLabel="Revoke"
              busy={revoke.isPending}
              onConfirm={() => revoke.mutate()}
            />
            <button type="button" className="link small" onClick={() => setShown(false)}>
              Hide
            </button>
          </div>
          <span className="small muted">Created {when(feed.data.created_at)}.</span>
        </div>
      ) : null}
      <ErrorBox error={rotate.error} />
      <ErrorBox error={revoke.error} />
    </section>
  );
}
