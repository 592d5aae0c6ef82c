import type { Repos } from '../ports.js';
import { onCallAt } from '../schedule/on-call-at.js';
import { toCalculatorOverrides, toCalculatorSchedule } from '../schedule/schedule.service.js';
import type { EscalationStep, EscalationTarget } from './paging.js';

/** A person a step means, and why (for the timeline and the policy preview). */
export interface StepPerson {
  userId: string;
  why: string;
}

/** Who one target means at `now`: a schedule is asked who is on call at this instant. */
export async function resolveTarget(
  repos: Repos,
  target: EscalationTarget,
  now: Date,
): Promise<StepPerson[]> {
  if (target.type === 'user') return [{ userId: target.id, why: 'named in the policy' }];
  if (target.type === 'schedule') {
    const schedule = await repos.schedules.get(target.id);
    if (!schedule) return [];
    const at = now.toISOString();
    const overrides = await repos.overrides.overlapping(
      [schedule.id],
      at,
      new Date(now.getTime() + 1).toISOString(),
    );
    const who = onCallAt(toCalculatorSchedule(schedule), toCalculatorOverrides(overrides), at);
    return who ? [{ userId: who.userId, why: `on call for ${schedule.name}` }] : [];
  }
  const team = await repos.teams.get(target.id);
  if (!team) return [];
  return (await repos.teams.members(team.id)).map((member) => ({
    userId: member.userId,
    why: `in team ${team.name}`,
  }));
}

/** Who a step means at `now`, each person once (the first target that names them gives the reason). */
export async function resolveStepTargets(
  repos: Repos,
  step: EscalationStep,
  now: Date,
): Promise<StepPerson[]> {
  const first = new Map<string, StepPerson>();
  for (const target of step.targets)
    for (const person of await resolveTarget(repos, target, now))
      if (!first.has(person.userId)) first.set(person.userId, person);
  return [...first.values()];
}
