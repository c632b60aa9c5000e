/**
 * What the History list shows of each session, as Copilot Chat's history does: grouped by day (Today,
 * Yesterday, …), the title, how long ago and with which model, a running badge for a session whose
 * turn is still going, and a bell for one whose permission prompt waits for the user. Plain code, no vscode.
 */
import type { ListedSession } from '../client/sessionList';

export type HistoryEntry =
  | { kind: 'group'; label: string }
  | { kind: 'session'; sessionId: string; title: string; label: string; description: string; running: boolean; current: boolean };

const DAY_MS = 24 * 60 * 60 * 1000;

export function historyEntries(
  sessions: readonly ListedSession[],
  options: { running: ReadonlySet<string>; waiting?: ReadonlySet<string>; current: string | undefined; now: number },
): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  let group: string | undefined;
  const startOfToday = new Date(options.now).setHours(0, 0, 0, 0);
  for (const s of sessions) {
    const updated = s.updatedAt ? Date.parse(s.updatedAt) : NaN;
    const label = dayGroup(updated, startOfToday);
    if (label !== group) entries.push({ kind: 'group', label: (group = label) });
    const meta = s._meta ?? {};
    const running = meta.running === true || options.running.has(s.sessionId);
    const model = typeof meta.model === 'string' ? meta.model.slice(0, 100) : undefined;
    const title = (s.title ?? '').trim().slice(0, 200) || 'Untitled session';
    const current = s.sessionId === options.current;
    const waiting = options.waiting?.has(s.sessionId) === true;
    entries.push({
      kind: 'session',
      sessionId: s.sessionId,
      title,
      label: waiting ? `$(bell-dot) ${title}` : running ? `$(loading~spin) ${title}` : title,
      description: [waiting ? 'waiting for your answer' : running ? 'running' : ago(updated, options.now), model, current ? 'current' : undefined].filter(Boolean).join(' · '),
      running,
      current,
    });
  }
  return entries;
}

function dayGroup(time: number, startOfToday: number): string {
  if (Number.isNaN(time)) return 'Older';
  if (time >= startOfToday) return 'Today';
  if (time >= startOfToday - DAY_MS) return 'Yesterday';
  if (time >= startOfToday - 6 * DAY_MS) return 'Last 7 days';
  if (time >= startOfToday - 29 * DAY_MS) return 'Last 30 days';
  return 'Older';
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(time: number, now: number): string {
  if (Number.isNaN(time)) return 'unknown time';
  const minutes = Math.floor(Math.max(0, now - time) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}
