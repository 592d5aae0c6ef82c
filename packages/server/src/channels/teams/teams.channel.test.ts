import { startTeamsFake, type TeamsFake } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_LINKS,
  TEST_NOTICE,
  testHttp,
  testIncident,
  testNotice,
  testPage,
  testUpdate,
} from '../test-fixtures.js';
import { createTeamsChannel, teamsCard } from './teams.channel.js';

let teams: TeamsFake;
beforeAll(async () => {
  teams = await startTeamsFake();
});
afterAll(() => teams.close());
afterEach(() => {
  teams.reset();
  teams.posts.assertNothingElse();
});

const channel = (timeoutMs?: number) =>
  createTeamsChannel({ http: testHttp(), ...(timeoutMs === undefined ? {} : { timeoutMs }) });

const actionsOf = (card: Record<string, any>) => card.actions.map((a: any) => [a.type, a.title, a.url]);

describe('Teams channel', () => {
  it('posts an Adaptive Card 1.4 with the incident and buttons to the signed pages', async () => {
    const result = await channel().send(testPage('teams', teams.workflowUrl()));
    expect(result).toEqual({ outcome: 'delivered', reason: 'Teams answered HTTP 202' });

    const post = await teams.posts.waitAndTake();
    expect(post.payload.type).toBe('message');
    expect(post.payload.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const [card] = post.cards;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } });
    expect(card!.body[0]).toMatchObject({ type: 'TextBlock', text: '#42 Disk full on db-1' });
    expect(card!.body[1]).toMatchObject({ text: 'Triggered', color: 'Attention' });
    expect(card!.body[2].facts).toEqual([
      { title: 'Service', value: 'Checkout' },
      { title: 'Urgency', value: 'High' },
      { title: 'Priority', value: 'P1' },
      { title: 'Started', value: '2026-03-08 06:00 UTC' },
    ]);
    expect(actionsOf(card!)).toEqual([
      ['Action.OpenUrl', 'Acknowledge', TEST_LINKS.acknowledge],
      ['Action.OpenUrl', 'Resolve', TEST_LINKS.resolve],
      ['Action.OpenUrl', 'Open incident', 'https://vigil.example.com/incidents/42'],
    ]);
  });

  it('renders updates with what is left to do', () => {
    const page = testPage('teams', 'https://example.com/workflow');
    const acked = teamsCard(testUpdate(page, 'acknowledged', 'Ana'))!;
    expect(acked.body[1]).toMatchObject({ text: 'Acknowledged by Ana', color: 'Warning' });
    expect(actionsOf(acked).map((a: any[]) => a[1])).toEqual(['Resolve', 'Open incident']);
    const resolved = teamsCard(testUpdate(page, 'resolved', 'Ana'))!;
    expect(resolved.body[1]).toMatchObject({ text: 'Resolved by Ana', color: 'Good' });
    expect(actionsOf(resolved).map((a: any[]) => a[1])).toEqual(['Open incident']);
    const summary = teamsCard({
      ...page,
      kind: 'summary',
      incidents: [testIncident(), testIncident({ number: 43 })],
    })!;
    expect(summary.body[0]).toMatchObject({ text: '2 incidents need attention' });
  });

  it('posts a notice as a card: the title, the body line by line, a button into Vigil', async () => {
    const result = await channel().send(testNotice('teams', teams.workflowUrl()));
    expect(result.outcome).toBe('delivered');
    const [card] = (await teams.posts.waitAndTake()).cards;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card!.body.map((b: any) => [b.type, b.text])).toEqual([
      ['TextBlock', 'You are on call for Payments'],
      ['TextBlock', 'From now until Mon 9 Mar 09:00 (Europe/London).'],
      ['TextBlock', 'Bo hands over to you.'],
    ]);
    expect(card!.body[0]).toMatchObject({ size: 'Large', weight: 'Bolder' });
    expect(actionsOf(card!)).toEqual([['Action.OpenUrl', 'Open in Vigil', TEST_NOTICE.url]]);

    const noLink = teamsCard(
      testNotice('teams', 'https://example.com/workflow', {
        notice: { title: 'Ana asks who can cover Payments, Sat 14 Mar', body: '' },
      }),
    )!;
    expect(noLink.body).toHaveLength(1);
    expect(noLink.actions).toEqual([]);
    expect(await channel().send(testNotice('teams', teams.workflowUrl(), { notice: undefined }))).toEqual({
      outcome: 'permanent',
      reason: 'the notice message has no notice',
    });
  });

  it('maps 503 and 429 to temporary, 400 to permanent, a hang to a timeout; never shows the URL', async () => {
    const url = teams.workflowUrl();
    teams.failNext(1, { status: 503 });
    expect((await channel().send(testPage('teams', url))).outcome).toBe('temporary');

    teams.failNext(1, { status: 429, retryAfterSeconds: 5 });
    expect(await channel().send(testPage('teams', url))).toMatchObject({
      outcome: 'temporary',
      retryAfterMs: 5_000,
    });

    teams.failNext(1, {
      status: 400,
      body: { error: { code: 'InvalidRequestContent', message: 'bad card' } },
    });
    const bad = await channel().send(testPage('teams', url));
    expect(bad.outcome).toBe('permanent');
    expect(bad.reason).toMatch(/^Teams answered HTTP 400: .*InvalidRequestContent/);

    teams.hangNext(1);
    const hung = await channel(200).send(testPage('teams', url));
    expect(hung.outcome).toBe('temporary');
    expect(hung.reason).toMatch(/did not respond within 200 ms/);

    for (const result of [bad, hung]) {
      expect(result.reason).not.toContain('fake-signature');
      expect(result.reason).not.toContain('/workflows/');
    }
    expect(channel().checkAddress('not a url')).not.toBeNull();
    expect(channel().checkAddress(url)).toBeNull();
  });
});
