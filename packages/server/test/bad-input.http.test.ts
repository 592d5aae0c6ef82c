import { engines } from '@vigil/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

/** Bad input gets a clear 4xx with a stable code and the offending field; never a 5xx or a partial write. */
describe.each(engines)('bad input on %s', (engine) => {
  let h: Harness;
  let serviceId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    serviceId = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'API' } })
    ).json().id;
  });
  afterAll(() => h.close());

  const post = (url: string, body: string, contentType = 'application/json') =>
    h.request({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } });

  it('malformed JSON is 400 INVALID_JSON', async () => {
    const response = await post('/api/v1/incidents', '{"service_id": "x", "title": ');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 400, code: 'INVALID_JSON' });
  });

  it('a wrong type is 400 VALIDATION_FAILED naming the field', async () => {
    const response = await post('/api/v1/incidents', JSON.stringify({ service_id: serviceId, title: 42 }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: '/title', message: 'must be string' }],
    });
  });

  it('numbers sent as strings are not quietly coerced', async () => {
    const response = await post(
      `/api/v1/services/${serviceId}/integrations`,
      JSON.stringify({ type: 'generic', rate_limit_per_minute: '60' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('/rate_limit_per_minute');
  });

  it('an unknown field is 400 naming it', async () => {
    const response = await post(
      '/api/v1/incidents',
      JSON.stringify({ service_id: serviceId, title: 'x', sevrity: 'critical' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ path: '/sevrity', message: 'is not a known field' }]);
  });

  it('a missing field and a bad enum are both listed', async () => {
    const response = await post('/api/v1/incidents', JSON.stringify({ title: 'x', urgency: 'urgent' }));
    expect(response.statusCode).toBe(400);
    const paths = response.json().errors.map((error: { path: string }) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['/service_id', '/urgency']));
  });

  it('bad query parameters are 400 naming the parameter', async () => {
    const limit = await h.request({ method: 'GET', url: '/api/v1/incidents?limit=5000' });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().errors[0].path).toBe('?/limit');
    const status = await h.request({ method: 'GET', url: '/api/v1/incidents?status=open' });
    expect(status.statusCode).toBe(400);
    const cursor = await h.request({ method: 'GET', url: '/api/v1/incidents?cursor=not-a-cursor' });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().code).toBe('INVALID_CURSOR');
    const unknown = await h.request({ method: 'GET', url: '/api/v1/incidents?colour=red' });
    expect(unknown.statusCode).toBe(400);
  });

  it('__proto__ and constructor keys are refused, not merged', async () => {
    const response = await post('/api/v1/teams', '{"name": "t", "__proto__": {"admin": true}}');
    expect(response.statusCode).toBe(400);
    const ctor = await post('/api/v1/teams', '{"name": "t2", "constructor": {"prototype": {"admin": true}}}');
    expect(ctor.statusCode).toBe(400);
  });

  it('NUL characters are refused with the field named, on both engines alike', async () => {
    const body = await post('/api/v1/teams', JSON.stringify({ name: 'a\u0000b' }));
    expect(body.statusCode).toBe(400);
    expect(body.json().errors).toEqual([{ path: '/name', message: 'must not contain NUL characters' }]);
    const query = await h.request({ method: 'GET', url: '/api/v1/incidents?q=%00' });
    expect(query.statusCode).toBe(400);
    expect(query.json().errors[0].path).toBe('?/q');
  });

  it('a body over 512 KB is 413', async () => {
    const response = await post(
      '/api/v1/incidents',
      JSON.stringify({ service_id: serviceId, title: 'x', description: 'y'.repeat(600_000) }),
    );
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an unsupported content type is 415', async () => {
    const response = await post('/api/v1/incidents', '<incident/>', 'application/xml');
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a bad time zone or a short password is 400 naming the field', async () => {
    const zone = await post(
      '/api/v1/users',
      JSON.stringify({ name: 'Z', email: 'z@example.com', role: 'responder', time_zone: 'Mars/Olympus' }),
    );
    expect(zone.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '/time_zone' }] });
    const password = await post(
      '/api/v1/users',
      JSON.stringify({ name: 'P', email: 'p@example.com', role: 'responder', password: 'short' }),
    );
    expect(password.json().errors[0].path).toBe('/password');
  });

  it('generated hostile bodies never cause a 5xx or a partial write', async () => {
    const before = (await h.request({ method: 'GET', url: '/api/v1/incidents?limit=500' })).json().data
      .length;
    const targets = [
      '/api/v1/incidents',
      '/api/v1/services',
      '/api/v1/teams',
      '/api/v1/users',
      `/api/v1/services/${serviceId}/integrations`,
    ];
    const hostileString = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 50 }),
      fc.constantFrom(
        '\u0000',
        'x\u0000y',
        '\ud800',
        '👩‍👩‍👧',
        '\u202e',
        'a'.repeat(5000),
        '%00',
        "'; drop table incidents; --",
      ),
    );
    const value = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        hostileString,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(
          fc.oneof(hostileString, fc.constantFrom('__proto__', 'title', 'service_id', 'constructor')),
          tie('tree'),
          { maxKeys: 5 },
        ),
      ),
    })).tree;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), value, async (url, body) => {
        const response = await post(url, JSON.stringify(body));
        expect(response.statusCode, `${url} ${JSON.stringify(body).slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.string({ maxLength: 200 }), async (url, text) => {
        const response = await post(url, text);
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    // Deep nesting.
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect((await post('/api/v1/incidents', deep)).statusCode).toBe(400);
    const after = (await h.request({ method: 'GET', url: '/api/v1/incidents?limit=500' })).json().data.length;
    expect(after).toBe(before);
  });
});
