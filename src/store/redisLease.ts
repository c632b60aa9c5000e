/**
 * Which replica holds a session: a lease key (`<replica>`, with a TTL) that the holder renews while the
 * session is in its memory. A replica that dies stops renewing, so its leases lapse and another replica
 * may bring the session back (its running turn then shows as interrupted). Renewal and release only touch
 * a lease that is still this replica's (one Lua script each, as in redis.io's lock pattern).
 */
import type { RedisClient } from './redisConnection';
import type { RedisKeys } from './redisKeys';

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

/** Which of `ids` another replica than `replicaId` holds now: in use there. Read in pages of 500. */
export async function heldElsewhere(redis: RedisClient, keys: RedisKeys, ids: readonly string[], replicaId: string): Promise<Set<string>> {
  const held = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const page = ids.slice(i, i + 500);
    const multi = redis.multi();
    for (const id of page) multi.get(keys.lease(id));
    const replies = (await multi.exec()) as unknown as (string | null)[];
    page.forEach((id, n) => {
      if (replies[n] !== null && replies[n] !== replicaId) held.add(id);
    });
  }
  return held;
}
