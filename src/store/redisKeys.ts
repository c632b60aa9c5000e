/**
 * Where a fleet keeps what: every key of one session shares the hash tag `{sid}` (one cluster slot).
 * The log is a Redis Stream of batches (field `r`: a JSON array of records, one entry per write). Each
 * record has a position `<seq>-<n>`: a numbered event of seq s is `s-0`, the unnumbered records after it
 * (prompt, history, turn end) are `s-1`, `s-2`…; an entry's id is its last record's position, so ids only
 * grow and a stale writer's batch (a seq already written) is refused by Redis itself.
 */
export class RedisKeys {
  constructor(readonly prefix = 'punie:') {}

  /** HASH: meta (the JSON meta record), title, updatedAt, bytes. */
  meta(id: string): string {
    return `${this.prefix}s:{${id}}:meta`;
  }

  /** STREAM: every record after the meta one, in batches (field `r`: a JSON array). */
  log(id: string): string {
    return `${this.prefix}s:{${id}}:log`;
  }

  /** STRING: the replica whose agent holds the session (its turns run there), with a TTL renewed while it lives. */
  lease(id: string): string {
    return `${this.prefix}s:{${id}}:lease`;
  }

  /** ZSET updatedAt → sid of one user. */
  userIndex(owner: string): string {
    return `${this.prefix}u:${owner}:sessions`;
  }

  /** ZSET updatedAt → sid of every session (what a starting replica indexes). */
  get allIndex(): string {
    return `${this.prefix}sessions`;
  }

  /** STRING: a replica's heartbeat, with a TTL. */
  replica(replicaId: string): string {
    return `${this.prefix}r:${replicaId}`;
  }

  /** Pub/sub: one server's relay messages (live turns whose client is on another server, see relay.ts). */
  relay(replicaId: string): string {
    return `${this.prefix}r:${replicaId}:relay`;
  }

  /** Pub/sub: `{"from": replica, "id": sid}` when a session's summary changed or it was deleted. */
  get changes(): string {
    return `${this.prefix}changes`;
  }
}

/** Stream ids as the store writes them. */
export interface LogCursor {
  seq: number;
  sub: number;
}

export function parseEntryId(id: string): LogCursor {
  const [seq, sub] = id.split('-');
  return { seq: Number(seq), sub: Number(sub) };
}
