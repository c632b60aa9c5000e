/** A fresh 256-bit random token, URL-safe: server tokens, resume tokens, embedded servers' tokens. */
import { randomBytes } from 'node:crypto';

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
