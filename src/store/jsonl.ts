/**
 * The default session store: one append-only JSONL file per session under `<dataDir>/sessions`, the format
 * VS Code and Claude Code use for chat logs. Records are buffered and written in batches (never one write
 * per chunk), written at every turn end (before its answer) and fsynced right after it and at least once a
 * second, so a `kill -9` loses about a second of output and never a session. Files are repaired or
 * quarantined on open; a write failure (a full disk) is reported once, the records stay buffered in memory
 * and are written when the disk recovers.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../util/logger';
import { BatchTimer } from './batchTimer';
import { runInBackground } from '../util/background';
import { compactRecords } from './compact';
import { DataDirLock } from './lock';
import { defaultIo, newFile, summarize, syncDir, type SessionFile, type StoreIo } from './jsonlFile';
import { isMeta, parseLog, serialize } from './parse';
import { sessionsToEvict, type RetentionPolicy } from './retention';
import type { DurableStore, MetaRecord, SessionSummary, StoredRecord, StoreErrorListener } from './types';

export interface JsonlStoreOptions {
  dataDir: string;
  retention: RetentionPolicy;
  /** Only turns that ended longer ago than this are compacted (the resume grace). */
  compactAfterMs: number;
  /** Buffered records wait at most this long for their write. */
  writeDelayMs: number;
  /** Written records are fsynced within this long. */
  syncIntervalMs: number;
  /** How often retention, the size cap and compaction run. */
  maintenanceIntervalMs: number;
  /** Sessions in use are never evicted. */
  inUse(id: string): boolean;
  onError: StoreErrorListener;
  now: () => number;
  logger: Logger;
  io?: Partial<StoreIo>;
}

/** Session ids become file names: anything else is refused. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Records merged away before a rewrite is worth it. */
const COMPACT_MIN_SAVINGS = 1000;
/**
 * Records or bytes buffered for one session before a write is started at once: a fast stream is written
 * while it runs (on the thread pool, beside the event loop) instead of all at its turn end, where the
 * prompt's answer waits for the write.
 */
const EAGER_WRITE_RECORDS = 8192;
const EAGER_WRITE_BYTES = 256 * 1024;

export class JsonlStore implements DurableStore {
  readonly name = 'jsonl';
  /** A full disk is reported per session; new sessions are still taken (they wait in memory like the others). */
  readonly available = true;
  private readonly files = new Map<string, SessionFile>();
  private readonly lock: DataDirLock;
  private readonly io: StoreIo;
  private readonly timer = new BatchTimer(() => this.tick());
  private maintenance: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: JsonlStoreOptions) {
    this.lock = new DataDirLock(options.dataDir);
    this.io = { ...defaultIo, ...options.io };
  }

  private get sessionsDir(): string {
    return join(this.options.dataDir, 'sessions');
  }

  private pathOf(id: string): string {
    return join(this.sessionsDir, `${id}.jsonl`);
  }

  async open(): Promise<void> {
    await mkdir(this.sessionsDir, { recursive: true, mode: 0o700 });
    await this.lock.acquire();
    for (const name of await readdir(this.sessionsDir)) {
      if (name.endsWith('.tmp')) await unlink(join(this.sessionsDir, name)).catch(() => {});
      else if (name.endsWith('.jsonl')) await this.index(name);
    }
    this.options.logger.info(`session store ${this.options.dataDir}: ${this.files.size} session(s)`);
    await this.maintain();
    this.maintenance = setInterval(() => runInBackground('session store maintenance', this.maintain(), this.options.logger), this.options.maintenanceIntervalMs);
    this.maintenance.unref();
  }

  /** Tells the lock file where this server listens (for a second server's message). */
  announce(url: string): Promise<void> {
    return this.lock.announce(url);
  }

  list(owner: string): SessionSummary[] {
    return [...this.files.values()]
      .filter((f) => f.summary.owner === owner)
      .map((f) => ({ ...f.summary }))
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1));
  }

  summary(id: string): SessionSummary | undefined {
    const file = this.files.get(id);
    return file && { ...file.summary };
  }

  create(meta: MetaRecord): void {
    if (!SAFE_ID.test(meta.id)) throw new Error(`invalid session id for the store: ${JSON.stringify(meta.id)}`);
    const summary: SessionSummary = { id: meta.id, owner: meta.owner, cwd: meta.cwd, model: meta.model, createdAt: meta.createdAt, updatedAt: meta.createdAt, bytes: 0 };
    this.files.set(meta.id, newFile(summary, JSON.stringify(meta)));
    this.schedule();
  }

  append(id: string, record: Exclude<StoredRecord, MetaRecord>, json?: string): void {
    const file = this.files.get(id);
    if (!file || file.deleted) return;
    file.pending.push(json ?? JSON.stringify(record));
    if (record.k === 'u') file.uncompacted++;
    else if (record.k !== 'history' && record.k !== 'e') {
      file.summary.updatedAt = record.ts;
      if (record.k === 'turn_end') file.compactAt ??= this.oldEnoughAt(record.ts);
      if (record.k === 'info' && record.title !== undefined) file.summary.title = record.title;
    }
    if (file.pending.lines < EAGER_WRITE_RECORDS && file.pending.bytes < EAGER_WRITE_BYTES) this.schedule();
    else if (!file.writeQueued) {
      file.writeQueued = true;
      this.enqueue(file, () => {
        file.writeQueued = false;
        return this.write(file);
      });
    }
  }

  /**
   * Resolves once what is buffered is written: then the OS has it, and a `kill -9` cannot lose it. The fsync
   * (against a power loss or an OS crash) starts at once behind the write, without the turn's answer
   * waiting for it — it cost as much as the write of a megabyte answer.
   */
  async sync(id: string): Promise<void> {
    const file = this.files.get(id);
    if (!file) return;
    this.enqueue(file, () => this.write(file));
    const written = file.queue;
    this.enqueue(file, () => this.fsync(file));
    await written;
    if (this.compactable(file)) this.enqueue(file, () => this.compact(file));
  }

  async load(id: string): Promise<StoredRecord[] | undefined> {
    const file = this.files.get(id);
    if (!file || file.deleted) return undefined;
    this.enqueue(file, () => this.write(file));
    await file.queue;
    if (file.failing) return undefined; // what is on disk is behind memory
    const parsed = parseLog(await readFile(this.pathOf(id)));
    return parsed.records;
  }

  async delete(id: string): Promise<void> {
    const file = this.files.get(id);
    if (!file) return;
    file.deleted = true;
    file.pending.clear();
    this.files.delete(id);
    this.enqueue(file, async () => {
      await file.handle?.close();
      file.handle = undefined;
      await unlink(this.pathOf(id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    });
    await file.queue;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.stop();
    if (this.maintenance) clearInterval(this.maintenance);
    for (const file of this.files.values()) {
      this.enqueue(file, async () => {
        await this.write(file);
        await this.fsync(file);
        await file.handle?.close();
        file.handle = undefined;
      });
    }
    await Promise.all([...this.files.values()].map((f) => f.queue));
    await this.lock.release();
  }

  /** Retention, the size cap and compaction of long logs. */
  async maintain(): Promise<void> {
    const evict = sessionsToEvict(
      [...this.files.values()].map((f) => f.summary),
      this.options.now(),
      this.options.retention,
      (id) => this.options.inUse(id),
    );
    for (const id of evict) {
      this.options.logger.info(`session store: deleting session ${id} (retention or size cap)`);
      await this.delete(id);
    }
    for (const file of this.files.values()) if (this.compactable(file)) this.enqueue(file, () => this.compact(file));
  }

  private async index(name: string): Promise<void> {
    const path = join(this.sessionsDir, name);
    const id = name.slice(0, -'.jsonl'.length);
    try {
      const bytes = await readFile(path);
      const parsed = parseLog(bytes);
      const meta = parsed.records[0];
      if (!SAFE_ID.test(id) || !isMeta(meta) || meta.id !== id) return await this.quarantine(path, name, 'its first record is not a valid session header');
      let size = bytes.length;
      if (parsed.damaged) {
        size = await this.rewrite(path, parsed.records);
        this.options.logger.warn(`session store: repaired ${name} (dropped ${parsed.dropped} damaged piece(s) left by a crash)`);
      }
      const summary = summarize(meta, parsed.records, size);
      const file = newFile(summary);
      file.uncompacted = parsed.records.length;
      file.compactAt = 0; // its turns' ages are not known until it is read
      this.files.set(id, file);
    } catch (err) {
      await this.quarantine(path, name, (err as Error).message);
    }
  }

  private async quarantine(path: string, name: string, reason: string): Promise<void> {
    const dir = join(this.options.dataDir, 'quarantine');
    const target = join(dir, `${name}.${this.options.now()}`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await rename(path, target);
      this.options.logger.error(`session store: ${name} is corrupt (${reason}); moved to ${target}`);
    } catch (err) {
      this.options.logger.error(`session store: ${name} is corrupt (${reason}) and could not be moved aside: ${(err as Error).message}`);
    }
  }

  /** Writes `records` to a temp file, fsyncs it and renames it over `path` (never a half-written log). */
  private async rewrite(path: string, records: readonly StoredRecord[]): Promise<number> {
    const data = Buffer.from(serialize(records));
    const tmp = `${path}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await this.io.write(handle, data);
      await this.io.sync(handle);
    } catch (err) {
      await handle.close();
      await unlink(tmp).catch(() => {});
      throw err;
    }
    await handle.close();
    await rename(tmp, path);
    await syncDir(this.sessionsDir);
    return data.length;
  }

  private enqueue(file: SessionFile, op: () => Promise<void>): void {
    file.queue = file.queue.then(op).catch((err: Error) => this.options.logger.error(`session store: ${file.summary.id}: ${err.message}`));
  }

  private schedule(delay = this.options.writeDelayMs): void {
    this.timer.schedule(delay);
  }

  /** Writes what is buffered; fsyncs what has waited long enough; comes back while anything is left. */
  private tick(): void {
    const now = this.options.now();
    let more = false;
    for (const file of this.files.values()) {
      if (!file.pending.isEmpty) this.enqueue(file, () => this.write(file));
      if (file.unsyncedSince !== undefined && now - file.unsyncedSince >= this.options.syncIntervalMs - this.options.writeDelayMs) {
        this.enqueue(file, () => this.fsync(file));
      }
      if (!file.pending.isEmpty || file.unsyncedSince !== undefined) more = true;
    }
    if (more) this.schedule(this.options.writeDelayMs);
  }

  private async write(file: SessionFile): Promise<void> {
    if (file.pending.isEmpty || file.deleted) return;
    const lines = file.pending.lines;
    const data = file.pending.take();
    try {
      file.handle ??= await open(this.pathOf(file.summary.id), 'a', 0o600);
      await this.io.write(file.handle, data);
    } catch (err) {
      // Cut a partial write back, so no torn line is left for the next append to run into.
      await file.handle?.truncate(file.summary.bytes).catch(() => {});
      file.pending.restore(data, lines);
      this.failed(file, err as Error);
      this.schedule(this.options.syncIntervalMs);
      return;
    }
    file.summary.bytes += data.length;
    file.unsyncedSince ??= this.options.now();
    this.recovered(file);
  }

  private async fsync(file: SessionFile): Promise<void> {
    if (file.unsyncedSince === undefined || !file.handle) return;
    try {
      await this.io.sync(file.handle);
      file.unsyncedSince = undefined;
    } catch (err) {
      this.failed(file, err as Error);
    }
  }

  private compactable(file: SessionFile): boolean {
    return file.uncompacted >= COMPACT_MIN_SAVINGS && file.compactAt !== undefined && this.options.now() >= file.compactAt;
  }

  /** When a turn that ended at `ts` is past the resume grace (compaction merges turns that ended before now − grace). */
  private oldEnoughAt(ts: number): number {
    return ts + this.options.compactAfterMs + 1;
  }

  private async compact(file: SessionFile): Promise<void> {
    if (file.deleted || file.failing) return;
    await this.write(file);
    const path = this.pathOf(file.summary.id);
    file.compactAt = undefined; // turns that end from now on set it again
    const records = parseLog(await readFile(path)).records;
    const cutoff = this.options.now() - this.options.compactAfterMs;
    const compacted = compactRecords(records, cutoff);
    // The turns kept seq by seq (within the grace) may be merged once they pass it.
    const young = records.reduce((first, r) => (r.k === 'turn_end' && r.ts >= cutoff ? Math.min(first, r.ts) : first), Infinity);
    if (young !== Infinity) file.compactAt = Math.min(file.compactAt ?? Infinity, this.oldEnoughAt(young));
    if (records.length - compacted.length < COMPACT_MIN_SAVINGS) {
      this.options.logger.debug(`session store: ${file.summary.id} has too little to compact until its turns pass the resume grace`);
      return;
    }
    await file.handle?.close();
    file.handle = undefined;
    file.summary.bytes = await this.rewrite(path, compacted);
    file.unsyncedSince = undefined;
    file.uncompacted = compacted.reduce((n, r) => (r.k === 'u' && r.to === undefined ? n + 1 : n), 0);
    this.options.logger.debug(`session store: compacted ${file.summary.id} from ${records.length} to ${compacted.length} records`);
  }

  private failed(file: SessionFile, err: Error): void {
    if (file.failing) return;
    file.failing = err;
    this.options.logger.error(`session store: cannot write session ${file.summary.id} (${err.message}); it is kept in memory and written when possible`);
    this.options.onError(file.summary.id, err);
  }

  private recovered(file: SessionFile): void {
    if (!file.failing) return;
    file.failing = undefined;
    this.options.logger.info(`session store: session ${file.summary.id} is written again`);
  }
}
