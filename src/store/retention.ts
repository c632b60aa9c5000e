/**
 * Which stored sessions go: those untouched for longer than the retention, then, while the store is over
 * its size cap, the least recently updated ones. Sessions in use (attached or running) are never chosen.
 */
import type { SessionSummary } from './types';

export interface RetentionPolicy {
  /** Sessions untouched this long are deleted. */
  retentionMs: number;
  /** Total bytes the store may hold; the oldest sessions go first beyond it. */
  maxBytes: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const defaultRetention: RetentionPolicy = { retentionMs: 30 * DAY_MS, maxBytes: 2 * 1024 ** 3 };

export function sessionsToEvict(summaries: readonly SessionSummary[], now: number, policy: RetentionPolicy, inUse: (id: string) => boolean): string[] {
  const out: string[] = [];
  let total = 0;
  const kept: SessionSummary[] = [];
  for (const s of summaries) {
    if (!inUse(s.id) && now - s.updatedAt > policy.retentionMs) out.push(s.id);
    else {
      kept.push(s);
      total += s.bytes;
    }
  }
  kept.sort((a, b) => a.updatedAt - b.updatedAt);
  for (const s of kept) {
    if (total <= policy.maxBytes) break;
    if (inUse(s.id)) continue;
    out.push(s.id);
    total -= s.bytes;
  }
  return out;
}
