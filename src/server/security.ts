/**
 * Decides, before the WebSocket upgrade, whether a request may connect: `Host` must name this server
 * (DNS-rebinding defence), `Origin` must be absent or on the allowlist (cross-site WebSocket hijacking),
 * and the bearer token must match when one is configured. Tokens are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The server options an upgrade is checked against. */
export interface UpgradePolicy {
  host: string;
  token?: string;
  allowedOrigins: string[];
  allowedHosts: string[];
}

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function checkUpgrade(req: IncomingMessage, options: UpgradePolicy): UpgradeVerdict {
  const hostHeader = req.headers.host;
  if (!hostHeader || !isAllowedHost(hostHeader, options)) {
    return { ok: false, status: 403, reason: `Host ${JSON.stringify(hostHeader ?? '')} is not allowed` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
    return { ok: false, status: 403, reason: `Origin ${JSON.stringify(origin)} is not allowed` };
  }
  if (options.token !== undefined && !tokenMatches(bearerToken(req), options.token)) {
    return { ok: false, status: 401, reason: 'missing or wrong bearer token' };
  }
  return { ok: true };
}

function isAllowedHost(hostHeader: string, options: Pick<UpgradePolicy, 'host' | 'allowedHosts'>): boolean {
  const name = hostHeader.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(name)) return true;
  // A wildcard bind is reached under names we cannot know; the mandatory token guards it.
  if (options.host === '0.0.0.0' || options.host === '::') return true;
  if (name === options.host.toLowerCase()) return true;
  return options.allowedHosts.map((h) => h.toLowerCase()).includes(name);
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
