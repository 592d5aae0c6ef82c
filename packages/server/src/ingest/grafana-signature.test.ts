import { describe, expect, it } from 'vitest';
import { verifyGrafanaSignature } from './grafana-signature.js';

// Test vectors from specs/wire-formats.md §3.
describe('Grafana webhook signatures', () => {
  const body = '{"status":"firing"}';
  it('accepts the published vector without and with a timestamp', () => {
    const now = 1_700_000_000;
    expect(
      verifyGrafanaSignature({
        secret: 's3cr3t',
        rawBody: body,
        signature: '28a683a6144fb7c3f590b19d8b8c9082c07af22f920df265175758c7c0a749ec',
        nowSeconds: now,
      }).ok,
    ).toBe(true);
    expect(
      verifyGrafanaSignature({
        secret: 's3cr3t',
        rawBody: body,
        signature: '2df7303a90af847a72802ca693e8c2763d4d0d0676f92e0cf5b7779907056a3f',
        timestamp: '1700000000',
        nowSeconds: now + 10,
      }).ok,
    ).toBe(true);
  });

  it('refuses a wrong signature, a changed body, a missing header and an old timestamp', () => {
    const now = 1_700_000_000;
    const good = '28a683a6144fb7c3f590b19d8b8c9082c07af22f920df265175758c7c0a749ec';
    expect(
      verifyGrafanaSignature({ secret: 'other', rawBody: body, signature: good, nowSeconds: now }).ok,
    ).toBe(false);
    expect(
      verifyGrafanaSignature({ secret: 's3cr3t', rawBody: `${body} `, signature: good, nowSeconds: now }).ok,
    ).toBe(false);
    expect(
      verifyGrafanaSignature({ secret: 's3cr3t', rawBody: body, signature: undefined, nowSeconds: now }).ok,
    ).toBe(false);
    expect(
      verifyGrafanaSignature({ secret: 's3cr3t', rawBody: body, signature: 'zz', nowSeconds: now }).ok,
    ).toBe(false);
    expect(
      verifyGrafanaSignature({
        secret: 's3cr3t',
        rawBody: body,
        signature: '2df7303a90af847a72802ca693e8c2763d4d0d0676f92e0cf5b7779907056a3f',
        timestamp: '1700000000',
        nowSeconds: now + 301,
      }).ok,
    ).toBe(false);
  });
});
