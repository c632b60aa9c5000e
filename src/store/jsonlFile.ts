/**
 * One session's file in the JSONL store: what the store keeps of it between writes (pending records,
 * fsync and compaction state, its queue of file operations), the file IO a test may replace, and the
 * summary a session list shows, read from its records.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { LineBuffer } from './lineBuffer';
import type { MetaRecord, SessionSummary, StoredRecord } from './types';

/** The two file operations a test may replace to inject failures (ENOSPC, EIO). */
export interface StoreIo {
  write(handle: FileHandle, data: Buffer): Promise<void>;
  sync(handle: FileHandle): Promise<void>;
}

export const defaultIo: StoreIo = {
  async write(handle, data) {
    for (let offset = 0; offset < data.length; ) offset += (await handle.write(data, offset)).bytesWritten;
  },
  sync: (handle) => handle.datasync(),
};

export interface SessionFile {
  summary: SessionSummary;
  handle: FileHandle | undefined;
  /** Records waiting for the next write. */
  pending: LineBuffer;
  /** Written but not yet fsynced, since this time. */
  unsyncedSince: number | undefined;
  /** Update records appended since the last compaction. */
  uncompacted: number;
  /**
   * When a compaction may first find a finished turn past the resume grace (undefined: no turn ended since
   * the last one looked). Turns within the grace are kept seq by seq, so reading and parsing the whole log
   * before then (at every turn end) would find nothing to merge and cost more than the turn.
   */
  compactAt: number | undefined;
  /** Every file operation, one after another. */
  queue: Promise<void>;
  /** A write started for a full buffer is queued and has not taken the buffer yet. */
  writeQueued: boolean;
  /** Set while writes fail; cleared (and logged) when one succeeds again. */
  failing: Error | undefined;
  deleted: boolean;
}

export function newFile(summary: SessionSummary, first?: string): SessionFile {
  const pending = new LineBuffer();
  if (first !== undefined) pending.push(first);
  return { summary, handle: undefined, pending, unsyncedSince: undefined, uncompacted: 0, compactAt: undefined, queue: Promise.resolve(), writeQueued: false, failing: undefined, deleted: false };
}

export function summarize(meta: MetaRecord, records: readonly StoredRecord[], bytes: number): SessionSummary {
  let title: string | undefined;
  let updatedAt = meta.createdAt;
  for (const r of records) {
    if (r.k === 'info' && r.title !== undefined) title = r.title;
    if ((r.k === 'prompt' || r.k === 'turn_end' || r.k === 'info') && typeof r.ts === 'number') updatedAt = Math.max(updatedAt, r.ts);
  }
  return { id: meta.id, owner: meta.owner, cwd: meta.cwd, model: meta.model, title, createdAt: meta.createdAt, updatedAt, bytes };
}

/** Makes a rename durable; directories cannot be fsynced on every platform, which is not an error. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows: EPERM/EISDIR
  }
}
