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

/**
 * Password hashes are self-describing strings, `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url salt
 * and hash): the scheme name leads, so a later scheme (say `argon2id$…`) can sit beside old hashes and
 * `verifyPassword` picks by the name; the cost parameters travel with each hash, so raising them
 * later leaves existing hashes verifiable. scrypt with N=2^15, r=8, p=1 is OWASP's minimum: 32 MiB
 * of memory per hash.
 */
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** The parts of a stored hash, or null when it is not one this code can check (or its cost is absurd). */
function parseScryptHash(stored: string): ScryptHash | null {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || !salt || !hash) return null;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  const powerOfTwo = Number.isInteger(N) && N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(R) || R < 1 || R > 32 || !Number.isInteger(P) || P < 1 || P > 16)
    return null;
  if (128 * N * R > SCRYPT.maxmem) return null;
  const parsed = {
    N,
    r: R,
    p: P,
    salt: Buffer.from(salt, 'base64url'),
    hash: Buffer.from(hash, 'base64url'),
  };
  return parsed.hash.length >= 16 && parsed.hash.length <= 64 && parsed.salt.length >= 8 ? parsed : null;
}

/** A hash of nothing anyone knows, checked when there is no real one, so both paths cost the same. */
let decoy: Promise<ScryptHash> | undefined;
const decoyHash = () =>
  (decoy ??= hashPassword(randomBytes(18).toString('base64url')).then((text) => parseScryptHash(text)!));

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = stored === null ? null : parseScryptHash(stored);
  const target = parsed ?? (await decoyHash());
  const actual = await scrypt(password, target.salt, target.hash.length, {
    N: target.N,
    r: target.r,
    p: target.p,
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, target.hash) && parsed !== null;
}

export const nodeSecrets: Secrets = {
  newApiToken,
  newIntegrationKey,
  newUrlToken,
  newNumericCode,
  hashToken: sha256Hex,
  hashPassword,
  verifyPassword,
};
