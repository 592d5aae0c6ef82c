import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets Vigil must read back (integration keys, later provider tokens and
 * webhook secrets). The key lives outside the database (VIGIL_SECRET_KEY, or a file in the data
 * directory on SQLite), so a leaked database dump does not leak the secrets.
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each base64url; the version allows key rotation later.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32)
    throw new Error('The secret key must be 32 bytes (64 hex characters or 43+ base64 characters)');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined)
        throw new Error('Unknown sealed-secret format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}

/** Reads a key given as 64 hex characters or as base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new SecretKeyError('VIGIL_SECRET_KEY must be 32 bytes: 64 hex characters, or base64');
  return key;
}

/** A malformed key is a configuration mistake, reported in one line (not a stack trace). */
export class SecretKeyError extends Error {}
