import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32

let lastTime = -1;
let lastRandom = new Uint8Array(10);

/**
 * Monotonic ULIDs: 48 bits of milliseconds then 80 bits of randomness, incremented within the same
 * millisecond. IDs sort by creation time, so lists page by ID and a timeline written in one
 * transaction keeps its order.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    // Same (or an earlier) millisecond: keep the last time and add one to the random part.
    for (let index = lastRandom.length - 1; index >= 0; index--) {
      const byte = lastRandom[index]!;
      if (byte < 255) {
        lastRandom[index] = byte + 1;
        break;
      }
      lastRandom[index] = 0;
    }
  } else {
    lastTime = now;
    lastRandom = new Uint8Array(randomBytes(10));
  }
  return encodeTime(lastTime) + encodeRandom(lastRandom);
}

function encodeTime(time: number): string {
  let out = '';
  let value = time;
  for (let index = 0; index < 10; index++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, five bits at a time.
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let index = 0; index < 16; index++) {
    out = ALPHABET[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}
