import { describe, expect, it } from 'vitest';
import { afterStep, nextReplyCode, planFor } from './escalation-steps.js';
import type { ContactMethod, NotificationRule } from './paging.js';

const policy = {
  repeat: 1,
  steps: [
    { delayMinutes: 5, targets: [] },
    { delayMinutes: 10, targets: [] },
  ],
};

describe('afterStep', () => {
  it('walks the steps, repeats the list, then stops', () => {
    expect(afterStep(policy, 0, 0, 0)).toEqual({ step: 1, loop: 0, nextAt: 300_000 });
    expect(afterStep(policy, 1, 0, 300_000)).toEqual({ step: 0, loop: 1, nextAt: 900_000 });
    expect(afterStep(policy, 1, 1, 0)).toBeNull();
  });
});

const method = (id: string, type: ContactMethod['type'], verified: boolean): ContactMethod => ({
  id,
  userId: 'u',
  type,
  label: id,
  address: id,
  secret: null,
  verified,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const rule = (
  contactMethodId: string,
  delayMinutes: number,
  urgency: NotificationRule['urgency'],
): NotificationRule => ({
  id: `${contactMethodId}-${delayMinutes}`,
  userId: 'u',
  contactMethodId,
  delayMinutes,
  urgency,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('planFor', () => {
  const sms = method('sms', 'sms', true);
  const email = method('email', 'email', false);
  const slack = method('slack', 'slack', false);

  it('follows the rules for the urgency, in delay order, on usable methods only', () => {
    const rules = [
      rule('slack', 5, 'any'),
      rule('sms', 0, 'high'),
      rule('email', 0, 'any'),
      rule('sms', 1, 'low'),
    ];
    expect(planFor('high', rules, [sms, email, slack]).map((p) => [p.method.id, p.delayMinutes])).toEqual([
      ['sms', 0],
      ['slack', 5],
    ]);
    expect(planFor('low', rules, [sms, email, slack]).map((p) => p.method.id)).toEqual(['sms', 'slack']);
  });

  it('uses every usable method at once for someone without rules', () => {
    expect(planFor('high', [], [sms, email, slack]).map((p) => p.method.id)).toEqual(['sms', 'slack']);
  });
});

describe('nextReplyCode', () => {
  it('keeps an incident its number and wraps after 99', () => {
    expect(nextReplyCode(7, 12)).toBe(7);
    expect(nextReplyCode(null, null)).toBe(1);
    expect(nextReplyCode(null, 12)).toBe(13);
    expect(nextReplyCode(null, 99)).toBe(1);
  });
});
