/**
 * Who a connection is. A session belongs to a user, not to a connection, so that any connection of that
 * user may list, load and resume it. A server with one token (or none, on loopback) has one user,
 * `default`; a users file maps names to token hashes; an embedded server (the extension's, `punie ask`'s,
 * `punie stdio`'s) has one fixed local user whatever its fresh token, so its sessions survive it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { bearerToken } from './security';

export const DEFAULT_USER = 'default';
export const LOCAL_USER = 'local';

/** Name → SHA-256 of the user's token (hex, optionally prefixed `sha256:`). */
export type UserTable = ReadonlyMap<string, Buffer>;

const UsersFile = z.record(z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/), z.string().regex(/^(sha256:)?[0-9a-fA-F]{64}$/));

/** Reads `--users-file`: a JSON object `{"alice": "sha256:<hex of sha256(token)>"}`. */
export function loadUsersFile(path: string): UserTable {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the users file ${path}: ${(err as Error).message}`);
  }
  const parsed = UsersFile.safeParse(raw);
  if (!parsed.success) throw new Error(`the users file ${path} must map user names to "sha256:<64 hex digits>": ${parsed.error.issues[0]?.message}`);
  const table = new Map<string, Buffer>();
  for (const [name, hash] of Object.entries(parsed.data)) table.set(name, Buffer.from(hash.replace(/^sha256:/, ''), 'hex'));
  if (table.size === 0) throw new Error(`the users file ${path} names no user`);
  return table;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export interface UserOptions {
  users?: UserTable;
  /** Set for embedded servers: every connection is this user. */
  localUser?: string;
}

/** The user a request authenticates as, or undefined (refused with 401) when a users table knows no such token. */
export function userOf(req: IncomingMessage, options: UserOptions): string | undefined {
  if (!options.users) return options.localUser ?? DEFAULT_USER;
  const token = bearerToken(req);
  if (token === undefined) return undefined;
  const hash = hashToken(token);
  let found: string | undefined;
  // Every entry is compared, so the time taken does not tell which user matched.
  for (const [name, expected] of options.users) if (timingSafeEqual(hash, expected) && found === undefined) found = name;
  return found;
}
