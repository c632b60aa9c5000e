/**
 * A session as it is kept in Redis, record by record: the log Stream's entry positions (see RedisKeys), the
 * write state of one session (its buffered records, and whether a write of unknown outcome may already be
 * stored), paging a log back in, a stale writer's refusal, and the meta hash read back as a summary.
 */
import type { RedisClient } from './redisConnection';
import { parseEntryId, type LogCursor, type RedisKeys } from './redisKeys';
import { isMeta } from './parse';
import type { MetaRecord, SessionSummary, StoredRecord } from './types';

/** Entries read per XRANGE call when loading a log. */
const PAGE = 5000;

export interface Writer {
  cursor: LogCursor;
  /** Records and their JSON, serialized once. */
  pending: { record: StoredRecord; json: string }[];
  pendingBytes: number;
  flushing: Promise<void>;
  failing: Error | undefined;
  overflowed: boolean;
  /** A newer replica writes this session: this one's writes stop. */
  superseded: boolean;
  /**
   * A write failed without an answer (Redis went away mid-MULTI): it may have been applied, so the next write
   * first reads the stream's top entry and leaves out what is already there.
   */
  uncertain: boolean;
}

export async function readLog(redis: RedisClient, keys: RedisKeys, id: string): Promise<{ records: StoredRecord[]; cursor: LogCursor } | undefined> {
  const metaJson = await redis.hGet(keys.meta(id), 'meta');
  const meta = metaJson === null || metaJson === undefined ? undefined : (JSON.parse(metaJson) as StoredRecord);
  if (!isMeta(meta) || meta.id !== id) return undefined;
  const records: StoredRecord[] = [meta];
  let last = '0-0';
  for (;;) {
    const page = (await redis.xRange(keys.log(id), last === '0-0' ? '-' : `(${last}`, '+', { COUNT: PAGE })) ?? [];
    for (const entry of page) records.push(...(JSON.parse(entry.message.r) as StoredRecord[]));
    if (page.length) last = page[page.length - 1].id;
    if (page.length < PAGE) break;
  }
  return { records, cursor: parseEntryId(last) };
}

export type RedisMulti = ReturnType<RedisClient['multi']>;

/**
 * Queues one batch of records on `multi`: meta records into the meta hash, the others as one stream entry (a
 * JSON array: one XADD per write, not per chunk) whose id is the batch's last record's position, so ids only
 * grow and a stale writer is refused by Redis. What `stored` says is already in the stream (a write whose
 * answer was lost) is left out. Moves `cursor` past the batch; returns its bytes.
 */
export function queueBatch(multi: RedisMulti, keys: RedisKeys, id: string, batch: Writer['pending'], cursor: LogCursor, stored: LogCursor | undefined): number {
  const entry: string[] = [];
  let bytes = 0;
  for (const { record, json } of batch) {
    bytes += json.length + 1;
    if (record.k === 'meta') multi.hSet(keys.meta(id), { meta: json, owner: record.owner });
    else {
      advance(cursor, record);
      if (!stored || after(cursor, stored)) entry.push(json);
    }
  }
  if (entry.length) multi.xAdd(keys.log(id), `${cursor.seq}-${cursor.sub}`, { r: `[${entry.join(',')}]` });
  return bytes;
}

/** The summaries of sessions `ids` from their meta hashes (read in pages of 500), and the ids whose session is gone. */
export async function readSummaries(redis: RedisClient, keys: RedisKeys, ids: readonly string[]): Promise<{ found: SessionSummary[]; gone: string[] }> {
  const found: SessionSummary[] = [];
  const gone: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const multi = redis.multi();
    for (const id of batch) multi.hGetAll(keys.meta(id));
    const replies = (await multi.exec()) as unknown as Record<string, string>[];
    batch.forEach((id, n) => {
      const summary = summaryOf(replies[n]);
      if (summary && summary.id === id) found.push(summary);
      else gone.push(id);
    });
  }
  return { found, gone };
}

/** The position of the stream's last entry: what a write whose answer was lost may already have stored. */
export async function storedTop(redis: RedisClient, keys: RedisKeys, id: string): Promise<LogCursor | undefined> {
  const top = (await redis.xRevRange(keys.log(id), '+', '-', { COUNT: 1 }))?.[0];
  return top ? parseEntryId(top.id) : undefined;
}

export function newWriter(cursor: LogCursor): Writer {
  return { cursor, pending: [], pendingBytes: 0, flushing: Promise.resolve(), failing: undefined, overflowed: false, superseded: false, uncertain: false };
}

/** Moves the cursor past a record (see RedisKeys): numbered events set the seq, others count after it. */
function advance(cursor: LogCursor, record: StoredRecord): void {
  if (record.k === 'u' || record.k === 'e') {
    cursor.seq = record.s;
    cursor.sub = 0;
  } else cursor.sub++;
}

function after(a: LogCursor, b: LogCursor): boolean {
  return a.seq > b.seq || (a.seq === b.seq && a.sub > b.sub);
}

/** A prompt without its turn end: the turn is running (or its replica died). */
export function hasOpenTurn(records: readonly StoredRecord[]): boolean {
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i].k === 'turn_end') return false;
    if (records[i].k === 'prompt') return true;
  }
  return false;
}

export function isStaleWriter(err: unknown): boolean {
  const replies = (err as { replies?: unknown[] }).replies;
  const texts = Array.isArray(replies) ? replies.map((r) => String((r as Error | undefined)?.message ?? '')) : [String((err as Error).message)];
  return texts.some((t) => t.includes('equal or smaller than the target stream top item'));
}

export function summaryOf(fields: Record<string, string> | undefined): SessionSummary | undefined {
  if (!fields?.meta) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(fields.meta);
  } catch {
    return undefined;
  }
  if (!isMeta(meta as StoredRecord)) return undefined;
  const m = meta as MetaRecord;
  return {
    id: m.id,
    owner: m.owner,
    cwd: m.cwd,
    model: m.model,
    title: fields.title,
    createdAt: m.createdAt,
    updatedAt: Number(fields.updatedAt ?? m.createdAt),
    bytes: Number(fields.bytes ?? 0),
  };
}
