/**
 * The fleet's live relay over Redis. Each server listens on its own pub/sub channel for messages about the
 * sessions whose turn it runs or whose client it holds; a server holding a client of a turn running
 * elsewhere tails that session's log Stream with `XREAD BLOCK` on a connection of its own (a blocked
 * connection can do nothing else) and checks between reads that the running server still holds the lease.
 */
import { runInBackground } from '../util/background';
import type { Logger } from '../util/logger';
import { RelayEnvelope, type FleetRelay, type Follower, type FollowSink, type RelayMessage, type RunningElsewhere } from './relay';
import type { RedisClient } from './redisConnection';
import type { RedisKeys } from './redisKeys';
import { hasOpenTurn, readLog } from './redisLog';
import type { StoredRecord } from './types';

/** A tail that failed (Redis away) reads again after this long. */
const RETRY_MS = 250;
/** Stream entries read per XREAD. */
const READ_COUNT = 500;

export interface RedisRelayOptions {
  replicaId: string;
  leaseMs: number;
  keys: RedisKeys;
  now: () => number;
  logger: Logger;
  /** The command connection. */
  redis(): RedisClient;
  /** The subscriber connection (already connected). */
  subscriber: RedisClient;
  /** Whether this server holds the session itself (then it is not running elsewhere). */
  holds(id: string): boolean;
}

export class RedisRelay implements FleetRelay {
  readonly replicaId: string;
  readonly leaseMs: number;
  private handler: ((from: string, msg: RelayMessage) => void) | undefined;
  private readonly followers = new Set<() => void>();

  constructor(private readonly options: RedisRelayOptions) {
    this.replicaId = options.replicaId;
    this.leaseMs = options.leaseMs;
  }

  async open(): Promise<void> {
    await this.options.subscriber.subscribe(this.options.keys.relay(this.replicaId), (message) => this.received(message));
  }

  listen(handler: (from: string, msg: RelayMessage) => void): void {
    this.handler = handler;
  }

  send(to: string, msg: RelayMessage): void {
    this.options
      .redis()
      .publish(this.options.keys.relay(to), JSON.stringify({ from: this.replicaId, msg }))
      .catch((err: Error) => this.options.logger.debug(`fleet relay: ${msg.t} of session ${msg.sid} to ${to} not sent: ${err.message}`));
  }

  async runningElsewhere(id: string, seenSeq = 0): Promise<RunningElsewhere | undefined> {
    const { keys } = this.options;
    if (this.options.holds(id)) return undefined;
    const holder = await this.options.redis().get(keys.lease(id));
    if (holder === null || holder === this.replicaId) return undefined;
    const log = await readLog(this.options.redis(), keys, id);
    if (!log || (!hasOpenTurn(log.records) && log.cursor.seq >= seenSeq)) return undefined;
    return { holder, records: log.records, after: `${log.cursor.seq}-${log.cursor.sub}` };
  }

  follow(id: string, from: RunningElsewhere, sink: FollowSink): Follower {
    const conn = this.options.redis().duplicate();
    // The store's own connection reports outages; this one only retries.
    conn.on('error', () => {});
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.followers.delete(stop);
      conn.destroy();
    };
    this.followers.add(stop);
    const tail = async () => {
      const poll = Math.max(50, Math.floor(this.leaseMs / 3));
      let last = from.after;
      let checked = this.options.now();
      await conn.connect();
      while (!stopped) {
        try {
          const reply = await conn.xRead({ key: this.options.keys.log(id), id: last }, { BLOCK: poll, COUNT: READ_COUNT });
          for (const stream of reply ?? []) {
            for (const entry of stream.messages) {
              last = entry.id;
              if (!stopped) sink.records(JSON.parse(entry.message.r) as StoredRecord[]);
            }
          }
          if (stopped || this.options.now() - checked < poll) continue;
          checked = this.options.now();
          const holder = await this.options.redis().get(this.options.keys.lease(id));
          if (holder !== from.holder) {
            stop();
            sink.holderChanged(holder ?? undefined);
          }
        } catch (err) {
          if (stopped) return;
          this.options.logger.debug(`fleet relay: reading session ${id}: ${(err as Error).message}; again in ${RETRY_MS} ms`);
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    };
    runInBackground(
      `following session ${id}`,
      tail().catch((err: Error) => {
        if (!stopped) throw err;
      }),
      this.options.logger,
    );
    return { stop };
  }

  /** Stops every tail (the store closes). */
  close(): void {
    for (const stop of [...this.followers]) stop();
  }

  private received(message: string): void {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return;
    }
    const parsed = RelayEnvelope.safeParse(json);
    if (!parsed.success) {
      this.options.logger.warn(`fleet relay: dropped a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    if (parsed.data.from === this.replicaId) return;
    this.handler?.(parsed.data.from, parsed.data.msg);
  }
}
