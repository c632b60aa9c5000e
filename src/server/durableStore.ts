/**
 * Which durable store a server keeps its sessions in: Redis when `store` names one (fleet mode: replicas
 * share sessions), else JSONL files under `dataDir`, else none (memory only). The store reports back to
 * the sessions through the few hooks here.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { JsonlStore } from '../store/jsonl';
import { RedisStore } from '../store/redis';
import type { FleetRelay } from '../store/relay';
import type { DurableStore } from '../store/types';
import type { ServerOptions } from './options';
import type { SessionStore } from './sessionStore';

/** Buffered session records are written within this long, and fsynced within a second. */
const STORE_WRITE_DELAY_MS = 100;
const STORE_SYNC_INTERVAL_MS = 1000;
/** Redis writes go sooner: other replicas read them live. */
const REDIS_WRITE_DELAY_MS = 10;
const STORE_MAINTENANCE_INTERVAL_MS = 60 * 60_000;

export function createDurableStore(options: ServerOptions, sessions: SessionStore): DurableStore | undefined {
  const { logger, now } = options;
  const retention = { retentionMs: options.sessionRetentionMs, maxBytes: options.storeMaxBytes };
  if (options.store) {
    return new RedisStore({
      ...options.store,
      replicaId: options.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      retention,
      writeDelayMs: REDIS_WRITE_DELAY_MS,
      maintenanceIntervalMs: STORE_MAINTENANCE_INTERVAL_MS,
      maxBufferedBytes: options.storeBufferBytes,
      leaseMs: options.fleetLeaseMs,
      relayTurns: true,
      inUse: (id) => sessions.inUse(id),
      onError: (id, err) => sessions.storageFailed(id, err),
      onOverflow: (id, err) => sessions.storageOverflowed(id, err),
      onClaimed: (id) => sessions.claimed(id),
      now,
      logger,
    });
  }
  if (options.dataDir === undefined) return undefined;
  return new JsonlStore({
    dataDir: options.dataDir,
    retention,
    compactAfterMs: options.gracePeriodMs,
    writeDelayMs: STORE_WRITE_DELAY_MS,
    syncIntervalMs: STORE_SYNC_INTERVAL_MS,
    maintenanceIntervalMs: STORE_MAINTENANCE_INTERVAL_MS,
    inUse: (id) => sessions.inUse(id),
    onError: (id, err) => sessions.storageFailed(id, err),
    now,
    logger,
    io: options.storeIo,
  });
}

/** The live relay of a store shared by a fleet (once it is open); none for a store of one server. */
export function fleetRelayOf(durable: DurableStore | undefined): FleetRelay | undefined {
  return durable instanceof RedisStore ? durable.relay : undefined;
}
