/**
 * What a Redis session store is given: the server's store flags (retention, the outage buffer, the lease),
 * and the hooks by which the store tells the server about sessions other replicas take or that overflow.
 */
import type { RedisKeys } from './redisKeys';
import type { RedisTarget } from './redisConnection';
import type { RetentionPolicy } from './retention';
import type { StoreErrorListener } from './types';
import type { Logger } from '../util/logger';

export interface RedisStoreOptions extends RedisTarget {
  /** Tells this replica's change messages from the others'. */
  replicaId: string;
  retention: RetentionPolicy;
  /** Buffered records wait at most this long for their write. */
  writeDelayMs: number;
  /** How often the size cap and retention run. */
  maintenanceIntervalMs: number;
  /** Bytes one session may buffer while Redis is away; beyond them `onOverflow` fails its turn. */
  maxBufferedBytes: number;
  inUse(id: string): boolean;
  onError: StoreErrorListener;
  onOverflow(id: string, error: Error): void;
  /** Another replica took a session this one holds: it must leave this replica's memory. */
  onClaimed(id: string): void;
  /**
   * A load of a session whose turn runs on another live replica fails at once (`running_elsewhere`) instead of
   * waiting for that turn to end: the server relays the turn instead (src/server/fleet.ts).
   */
  relayTurns?: boolean;
  /** A session's lease lapses this long after its replica stopped renewing it (died). */
  leaseMs: number;
  now: () => number;
  logger: Logger;
  keys?: RedisKeys;
}
