import { createHash, randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Secrets } from '@vigil/core';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

/** API keys start with this, so secret scanners and people recognise a leaked one. */
export const API_TOKEN_PREFIX = 'vgl_';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** 160 random bits, base64url, behind the prefix. */
export const newApiToken = (): string => `${API_TOKEN_PREFIX}${randomBytes(20).toString('base64url')}`;

/**
 * 128 random bits as 32 lowercase hex characters: the shape of a PagerDuty routing key, which some
 * senders validate, so the same key pastes into any tool.
 */
export const newIntegrationKey = (): string => randomBytes(16).toString('hex');

/** 192 random bits, base64url: secret links such as calendar feeds. */
export const newUrlToken = (): string => randomBytes(24).toString('base64url');

/** `digits` decimal digits, uniformly random (crypto.randomInt). */
export const newNumericCode = (digits: number): string =>
  Array.from({ length: digits }, () => randomInt(10)).join('');

// scrypt with N=2^15, r=8, p=1 (OWASP's minimum), 32 MiB of memory per hash.
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

export const nodeSecrets: Secrets = {
  newApiToken,
  newIntegrationKey,
  newUrlToken,
  newNumericCode,
  hashToken: sha256Hex,
  hashPassword,
};
