import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
let lastTime = 0;
let counter = 0;

/**
 * Time-ordered ids (ULID-like, lower-case Crockford base32): ids created later sort later,
 * so (time, id) keyset pagination is stable.
 */
export function newId(now = Date.now()): string {
  if (now === lastTime) counter += 1;
  else {
    lastTime = now;
    counter = 0;
  }
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i += 1) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const seq = counter.toString(32).padStart(4, '0').slice(-4);
  const rand = randomBytes(8);
  let tail = '';
  for (const b of rand) tail += ALPHABET[b % 32]!;
  return `${time}${seq}${tail}`;
}

export const nowIso = (): string => new Date().toISOString();
