/**
 * Which checkpoints are kept: the latest 100 per session, none older than 30 days (as Claude Code keeps
 * them). Plain code with an injected clock, so the bounds are tested without waiting.
 */
export interface CheckpointEntry {
  sessionId: string;
  /** The transcript id of the turn's question. */
  turnId: string;
  created: number;
  paths: string[];
}

export const MAX_PER_SESSION = 100;
export const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** Splits the index into what is kept and what is dropped (its snapshots can be deleted). */
export function prune<T extends CheckpointEntry>(entries: readonly T[], now: number): { keep: T[]; drop: T[] } {
  const keep: T[] = [];
  const drop: T[] = [];
  const perSession = new Map<string, number>();
  for (const entry of [...entries].sort((a, b) => b.created - a.created)) {
    const count = perSession.get(entry.sessionId) ?? 0;
    if (now - entry.created > MAX_AGE_MS || count >= MAX_PER_SESSION) drop.push(entry);
    else {
      keep.push(entry);
      perSession.set(entry.sessionId, count + 1);
    }
  }
  return { keep: keep.reverse(), drop };
}

/** One file of a checkpoint: its text before the turn (null: it did not exist) and after the turn's last write. */
export interface CheckpointFile {
  path: string;
  before: string | null;
  after: string;
}

/** What a restore would do, file by file: `changed` when the file is no longer what the turn left. */
export function restorePlan(files: readonly CheckpointFile[], currentText: (path: string) => string | null): { path: string; before: string | null; changed: boolean }[] {
  return files.map((f) => ({ path: f.path, before: f.before, changed: currentText(f.path) !== f.after }));
}
