/**
 * Which replica holds a session: a lease key (`<replica>`, with a TTL) that the holder renews while the
 * session is in its memory. A replica that dies stops renewing, so its leases lapse and another replica
 * may bring the session back (its running turn then shows as interrupted). Renewal and release only touch
 * a lease that is still this replica's (one Lua script each, as in redis.io's lock pattern).
 */
import type { RedisClient } from './redisConnection';

/** Renews the lease if it is ours or gone (e.g. Redis restarted empty); 0 when another replica took it. */
const RENEW = `local v = redis.call('get', KEYS[1])
if v == false or v == ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

export async function renewLease(redis: RedisClient, key: string, replicaId: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(RENEW, { keys: [key], arguments: [replicaId, String(ttlMs)] })) === 1;
}

export async function releaseLease(redis: RedisClient, key: string, replicaId: string): Promise<void> {
  await redis.eval(RELEASE, { keys: [key], arguments: [replicaId] });
}

/** Takes the lease whoever held it (the caller checked that the holder is gone or idle). */
export async function takeLease(redis: RedisClient, key: string, replicaId: string, ttlMs: number): Promise<void> {
  await redis.set(key, replicaId, { PX: ttlMs });
}
