/**
 * The fleet's session store: sessions in Redis, so that every `punie serve` replica sharing it can list,
 * load and resume any session. Metadata is a hash, each user's sessions a sorted set, and the log (the
 * agent's history and the seq-numbered updates that resume and `session/load` replay) a Redis Stream per
 * session. Appends are buffered and written in batches; while Redis is away they stay buffered (bounded:
 * past the bound the session's running turn is failed) and are written when it returns. Retention is a
 * TTL renewed on every write; the size cap deletes the least recently used sessions not in use. The list
 * is kept in memory and refreshed from other replicas' change messages. A session in this replica's memory
 * is leased to it (see redisLease.ts); loading one brings it here: a turn still running on another live
 * replica is waited for, then the lease is taken and the replica that had it is told to let it go.
 */
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { runInBackground } from '../util/background';
import { BatchTimer } from './batchTimer';
import { changeMessage, parseChange } from './redisChanges';
import { connectRedis, describeTarget, type RedisClient } from './redisConnection';
import { heldElsewhere, releaseLease, renewLease, takeLease } from './redisLease';
import { RedisRelay } from './redisRelay';
import { runningElsewhere } from './relay';
import { RedisKeys, type LogCursor } from './redisKeys';
import type { RedisStoreOptions } from './redisOptions';
import { hasOpenTurn, isStaleWriter, newWriter, queueBatch, readLog, readSummaries, storedTop, summaryOf, type Writer } from './redisLog';
import { sessionsToEvict } from './retention';
import type { DurableStore, MetaRecord, SessionSummary, StoredRecord } from './types';

/** A write that failed is tried again this long after. */
const RETRY_MS = 250;
/** How often a load looks again at a turn running on another replica. */
const TAKE_POLL_MS = 50;

export class RedisStore implements DurableStore {
  readonly name = 'redis';
  private readonly summaries = new Map<string, SessionSummary>();
  private readonly writers = new Map<string, Writer>();
  /** Leases of sessions just made, still being taken. */
  private readonly leasing = new Map<string, Promise<void>>();
  private readonly keys: RedisKeys;
  private client: RedisClient | undefined;
  private subscriber: RedisClient | undefined;
  private ready = false;
  private readonly timer = new BatchTimer(() => this.tick());
  private maintenance: NodeJS.Timeout | undefined;
  private leases: NodeJS.Timeout | undefined;
  private closed = false;
  /** Live turns across replicas (see redisRelay.ts); set once open. */
  relay: RedisRelay | undefined;

  constructor(private readonly options: RedisStoreOptions) {
    this.keys = options.keys ?? new RedisKeys();
  }

  /** Whether sessions can be written now (false while Redis is away). */
  get available(): boolean {
    return this.ready && ![...this.writers.values()].some((w) => w.failing);
  }

  /** The command connection, for the fleet's other parts (leases, heartbeats). */
  get redis(): RedisClient {
    if (!this.client) throw new Error('the Redis store is not open');
    return this.client;
  }

  describe(): string {
    return describeTarget(this.options.url);
  }

  async open(): Promise<void> {
    const { logger } = this.options;
    this.client = await connectRedis(this.options, 'store', logger, (ready) => this.setReady(ready));
    this.subscriber = await connectRedis(this.options, 'changes', logger);
    await this.subscriber.subscribe(this.keys.changes, (message) => this.changed(message));
    const { replicaId, leaseMs, now } = this.options;
    const relay = new RedisRelay({ replicaId, leaseMs, now, logger, keys: this.keys, redis: () => this.redis, subscriber: this.subscriber, holds: (id) => this.writers.has(id) });
    await relay.open();
    this.relay = relay;
    this.ready = true;
    await this.index();
    logger.info(`session store ${this.describe()}: ${this.summaries.size} session(s)`);
    await this.maintain();
    this.maintenance = setInterval(() => runInBackground('session store maintenance', this.maintain(), logger), this.options.maintenanceIntervalMs);
    this.maintenance.unref();
    this.leases = setInterval(() => runInBackground('renewing session leases', this.renewLeases(), logger), Math.max(50, Math.floor(this.options.leaseMs / 3)));
    this.leases.unref();
  }

  list(owner: string): SessionSummary[] {
    return [...this.summaries.values()]
      .filter((s) => s.owner === owner)
      .map((s) => ({ ...s }))
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1));
  }

  summary(id: string): SessionSummary | undefined {
    const s = this.summaries.get(id);
    return s && { ...s };
  }

  /** Reads one session's summary again (another replica may have created or changed it a moment ago). */
  async refresh(id: string): Promise<void> {
    const fields = await this.redis.hGetAll(this.keys.meta(id));
    const summary = summaryOf(fields);
    if (summary && summary.id === id) this.summaries.set(id, summary);
    else this.summaries.delete(id);
  }

  create(meta: MetaRecord): void {
    const summary: SessionSummary = { id: meta.id, owner: meta.owner, cwd: meta.cwd, model: meta.model, createdAt: meta.createdAt, updatedAt: meta.createdAt, bytes: 0 };
    this.summaries.set(meta.id, summary);
    const writer = newWriter({ seq: 0, sub: 0 });
    this.writers.set(meta.id, writer);
    this.push(writer, meta);
    // Awaited by the first sync (session/new answers after it): another replica must never see the session unleased.
    const leasing = takeLease(this.redis, this.keys.lease(meta.id), this.options.replicaId, this.options.leaseMs).finally(() => this.leasing.delete(meta.id));
    this.leasing.set(meta.id, leasing);
    runInBackground(`leasing session ${meta.id}`, leasing, this.options.logger);
    this.schedule();
  }

  append(id: string, record: Exclude<StoredRecord, MetaRecord>, json?: string): void {
    const writer = this.writers.get(id);
    const summary = this.summaries.get(id);
    if (!writer || !summary || writer.superseded) return;
    if (record.k === 'prompt' || record.k === 'turn_end' || record.k === 'info') {
      summary.updatedAt = record.ts;
      if (record.k === 'info' && record.title !== undefined) summary.title = record.title;
    }
    this.push(writer, record, json);
    if ((writer.failing || !this.ready) && writer.pendingBytes > this.options.maxBufferedBytes && !writer.overflowed) {
      writer.overflowed = true;
      const error = new Error(`more than ${this.options.maxBufferedBytes} bytes of this session wait for Redis`);
      this.options.logger.error(`session store: session ${id}: ${error.message}; its running turn is stopped`);
      this.options.onOverflow(id, error);
    }
    this.schedule();
  }

  /** Writes what is buffered for `id`; while Redis is away it stays buffered (a turn's end is not held up). */
  async sync(id: string): Promise<void> {
    const writer = this.writers.get(id);
    if (!writer || !this.ready) return;
    await Promise.all([this.flush(id, writer), this.leasing.get(id)?.catch(() => undefined)]);
  }

  /**
   * Every record of the session, and the session is this replica's from now on: a turn still running on
   * another live replica is waited for (up to two lease periods), then its lease is taken.
   */
  async load(id: string): Promise<StoredRecord[] | undefined> {
    try {
      return await this.take(id);
    } catch (err) {
      if (err instanceof RpcError) throw err;
      this.options.logger.error(`session store: cannot load session ${id} from Redis: ${(err as Error).message}`);
      throw unavailable(id);
    }
  }

  private async take(id: string): Promise<StoredRecord[] | undefined> {
    const writer = this.writers.get(id);
    if (writer) {
      await this.flush(id, writer);
      if (writer.failing) throw unavailable(id);
      return (await readLog(this.redis, this.keys, id))?.records;
    }
    const deadline = this.options.now() + 2 * this.options.leaseMs;
    for (;;) {
      const holder = await this.redis.get(this.keys.lease(id));
      const log = await readLog(this.redis, this.keys, id);
      if (!log) return undefined;
      const elsewhere = holder !== null && holder !== this.options.replicaId;
      if (elsewhere && hasOpenTurn(log.records)) {
        if (this.options.now() < deadline && !this.options.relayTurns) {
          await new Promise((r) => setTimeout(r, TAKE_POLL_MS));
          continue;
        }
        this.options.logger.warn(`session store: session ${id} still runs a turn on replica ${holder}; not taken`);
        throw runningElsewhere(id);
      }
      await takeLease(this.redis, this.keys.lease(id), this.options.replicaId, this.options.leaseMs);
      if (!elsewhere) {
        this.writers.set(id, newWriter(log.cursor));
        return log.records;
      }
      await this.redis.publish(this.keys.changes, changeMessage(this.options.replicaId, id, true));
      // What the other replica wrote before it heard the claim (e.g. its turn's outcome) is read too.
      const final = (await readLog(this.redis, this.keys, id)) ?? log;
      this.writers.set(id, newWriter(final.cursor));
      return final.records;
    }
  }

  /** The session left this replica's memory: what is buffered is written and the lease let go. */
  async release(id: string): Promise<void> {
    const writer = this.writers.get(id);
    if (!writer) return;
    await this.flush(id, writer);
    if (writer.failing || this.writers.get(id) !== writer) return;
    this.writers.delete(id);
    await releaseLease(this.redis, this.keys.lease(id), this.options.replicaId);
  }

  async delete(id: string): Promise<void> {
    const summary = this.summaries.get(id);
    this.summaries.delete(id);
    const writer = this.writers.get(id);
    this.writers.delete(id);
    if (writer) {
      writer.superseded = true;
      writer.pending = [];
      await writer.flushing;
    }
    const owner = summary?.owner ?? (await this.redis.hGet(this.keys.meta(id), 'owner')) ?? undefined;
    const multi = this.redis.multi().del([this.keys.meta(id), this.keys.log(id), this.keys.lease(id)]).zRem(this.keys.allIndex, id);
    if (owner) multi.zRem(this.keys.userIndex(owner), id);
    await multi.publish(this.keys.changes, changeMessage(this.options.replicaId, id)).exec();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.stop();
    if (this.maintenance) clearInterval(this.maintenance);
    if (this.leases) clearInterval(this.leases);
    this.relay?.close();
    // Leases are let go: another replica may bring these sessions back at once (a running turn shows as interrupted).
    await Promise.all([...this.writers.keys()].map((id) => this.release(id).catch(() => {})));
    for (const client of [this.subscriber, this.client]) {
      if (client?.isOpen) await client.close().catch(() => client.destroy());
      else client?.destroy();
    }
  }

  /**
   * Retention and the size cap over the whole fleet's sessions (Redis expires untouched sessions by itself;
   * this also runs the cap). A session another replica holds (its lease) is in use there and never chosen.
   */
  async maintain(): Promise<void> {
    if (!this.ready) return;
    const held = await heldElsewhere(this.redis, this.keys, [...this.summaries.keys()], this.options.replicaId);
    const evict = sessionsToEvict([...this.summaries.values()], this.options.now(), this.options.retention, (id) => held.has(id) || this.options.inUse(id));
    for (const id of evict) {
      this.options.logger.info(`session store: deleting session ${id} (retention or size cap)`);
      await this.delete(id);
    }
  }

  /** Keeps this replica's leases; a session whose lease another replica took leaves this one. */
  private async renewLeases(): Promise<void> {
    if (!this.ready) return;
    for (const id of [...this.writers.keys()]) {
      if (!(await renewLease(this.redis, this.keys.lease(id), this.options.replicaId, this.options.leaseMs))) this.claimed(id);
    }
  }

  private claimed(id: string): void {
    const writer = this.writers.get(id);
    if (!writer) return;
    this.writers.delete(id);
    writer.superseded = true;
    writer.pending = [];
    this.options.logger.info(`session store: session ${id} was taken by another replica`);
    this.options.onClaimed(id);
  }

  /** Reads the index of every session, dropping index entries whose session expired. */
  private async index(): Promise<void> {
    const ids = await this.redis.zRange(this.keys.allIndex, 0, -1);
    const { found, gone } = await readSummaries(this.redis, this.keys, ids);
    for (const summary of found) this.summaries.set(summary.id, summary);
    if (gone.length) await this.redis.zRem(this.keys.allIndex, gone);
  }

  /** `json`: the record's JSON when the caller already made it (a streamed update: serialised once). */
  private push(writer: Writer, record: StoredRecord, json = JSON.stringify(record)): void {
    writer.pending.push({ record, json });
    writer.pendingBytes += json.length + 1;
  }

  private schedule(delay = this.options.writeDelayMs): void {
    this.timer.schedule(delay);
  }

  private tick(): void {
    let failing = false;
    for (const [id, writer] of this.writers) {
      if (writer.pending.length) runInBackground(`writing session ${id}`, this.flush(id, writer), this.options.logger);
      if (writer.failing) failing = true;
    }
    if (failing) this.schedule(RETRY_MS);
  }

  /** One write at a time per session; resolves when what was pending at the call is written or failed. */
  private flush(id: string, writer: Writer): Promise<void> {
    writer.flushing = writer.flushing.then(() => this.write(id, writer));
    return writer.flushing;
  }

  private async write(id: string, writer: Writer): Promise<void> {
    const summary = this.summaries.get(id);
    if (!writer.pending.length || writer.superseded || !summary) return;
    let stored: LogCursor | undefined;
    if (writer.uncertain) {
      try {
        stored = await storedTop(this.redis, this.keys, id);
      } catch (err) {
        this.failed(id, writer, err as Error);
        this.schedule(RETRY_MS);
        return;
      }
    }
    const batch = writer.pending;
    writer.pending = [];
    writer.pendingBytes = 0;
    const cursor = { ...writer.cursor };
    const multi = this.redis.multi();
    const bytes = queueBatch(multi, this.keys, id, batch, cursor, stored);
    const fields: Record<string, string> = { updatedAt: String(summary.updatedAt) };
    if (summary.title !== undefined) fields.title = summary.title;
    const ttl = this.options.retention.retentionMs;
    multi
      .hSet(this.keys.meta(id), fields)
      .hIncrBy(this.keys.meta(id), 'bytes', bytes)
      .zAdd(this.keys.userIndex(summary.owner), { score: summary.updatedAt, value: id })
      .zAdd(this.keys.allIndex, { score: summary.updatedAt, value: id })
      .pExpire(this.keys.meta(id), ttl)
      .pExpire(this.keys.log(id), ttl)
      .publish(this.keys.changes, changeMessage(this.options.replicaId, id));
    try {
      await multi.exec();
    } catch (err) {
      if (isStaleWriter(err)) return this.superseded(id, writer);
      writer.uncertain = true;
      writer.pending = batch.concat(writer.pending);
      writer.pendingBytes += bytes;
      this.failed(id, writer, err as Error);
      this.schedule(RETRY_MS);
      return;
    }
    writer.cursor = cursor;
    writer.uncertain = false;
    summary.bytes += bytes;
    writer.overflowed = false;
    if (writer.failing) {
      writer.failing = undefined;
      this.options.logger.info(`session store: session ${id} is written again`);
    }
  }

  private superseded(id: string, writer: Writer): void {
    writer.superseded = true;
    writer.pending = [];
    this.writers.delete(id);
    const error = new Error('another server now writes this session');
    this.options.logger.warn(`session store: session ${id}: ${error.message}; this server's copy stops writing`);
    this.options.onError(id, error);
  }

  private failed(id: string, writer: Writer, err: Error): void {
    if (writer.failing) return;
    writer.failing = err;
    this.options.logger.error(`session store: cannot write session ${id} to Redis (${err.message}); it is kept in memory and written when Redis is back`);
    this.options.onError(id, err);
  }

  private setReady(ready: boolean): void {
    this.ready = ready;
    if (ready) {
      this.schedule(0);
      runInBackground('re-reading the session index', this.index(), this.options.logger);
    }
  }

  /** Another replica changed a session: its summary is read again. */
  private changed(message: string): void {
    const change = parseChange(message);
    if (!change || change.from === this.options.replicaId) return;
    const { id } = change;
    if (change.claim) this.claimed(id);
    runInBackground(`reading session ${id}`, this.refresh(id), this.options.logger);
  }
}

function unavailable(sessionId: string): RpcError {
  return new RpcError(ErrorCodes.InternalError, 'The server cannot reach its session store right now; try again in a moment.', { kind: 'store_unavailable', sessionId });
}
