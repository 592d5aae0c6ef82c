import { describe, expect, it } from 'vitest';
import { createSessionCookies, readCookie } from './session-cookie.js';

describe('session cookie', () => {
  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; vigil_session=abc; b=2', 'vigil_session')).toBe('abc');
    expect(readCookie('vigil_session="quoted"', 'vigil_session')).toBe('quoted');
    expect(readCookie('xvigil_session=no', 'vigil_session')).toBeUndefined();
    expect(readCookie(undefined, 'vigil_session')).toBeUndefined();
  });

  it('is Secure behind https only, and the CSRF token is bound to the session and the key', () => {
    const key = Buffer.alloc(32, 1);
    const http = createSessionCookies({ secretKey: key, publicUrl: 'http://127.0.0.1:8080' });
    const https = createSessionCookies({ secretKey: key, publicUrl: 'https://vigil.example.com' });
    expect(http.secure).toBe(false);
    expect(https.secure).toBe(true);
    const token = http.csrfToken('s1');
    expect(http.csrfMatches({ id: 's1' }, token)).toBe(true);
    expect(http.csrfMatches({ id: 's2' }, token)).toBe(false);
    expect(http.csrfMatches({ id: 's1' }, undefined)).toBe(false);
    expect(http.csrfMatches({ id: 's1' }, [token])).toBe(false);
    const other = createSessionCookies({ secretKey: Buffer.alloc(32, 2), publicUrl: 'http://x' });
    expect(other.csrfMatches({ id: 's1' }, token)).toBe(false);
  });
});
