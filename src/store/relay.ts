/**
 * What a shared store offers for live turns across servers (fleet mode): which server runs a session's
 * turn, a tail of that session's log, and messages between servers about one session (its client is on
 * one server, its turn runs on another). The messages come from another process through Redis: they are
 * validated here, at the boundary.
 */
import { z } from 'zod';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { StoredRecord } from './types';

const Sid = z.string().min(1).max(200);
const Client = z.string().min(1).max(200);
const Rid = z.string().min(1).max(200);

/** `attach` doubles as the heartbeat of a client held on another server; `note` carries an unnumbered notification. */
export const RelayMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('attach'), sid: Sid, client: Client, user: z.string(), capabilities: z.record(z.string(), z.unknown()), legacy: z.boolean() }),
  z.object({ t: z.literal('detach'), sid: Sid, client: Client }),
  z.object({ t: z.literal('cancel'), sid: Sid }),
  z.object({ t: z.literal('request'), sid: Sid, client: Client, rid: Rid, method: z.string().max(200), params: z.unknown() }),
  z.object({ t: z.literal('abort'), sid: Sid, rid: Rid }),
  z.object({ t: z.literal('answer'), sid: Sid, client: Client, rid: Rid, result: z.unknown(), error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional() }),
  z.object({ t: z.literal('note'), sid: Sid, method: z.string().max(200), params: z.unknown() }),
]);
export type RelayMessage = z.infer<typeof RelayMessage>;

export const RelayEnvelope = z.object({ from: z.string().min(1).max(200), msg: RelayMessage });

/** A turn of a session runs on another live server: what is stored so far, and where a tail starts. */
export interface RunningElsewhere {
  holder: string;
  records: StoredRecord[];
  /** The log position after `records` (a Redis stream id). */
  after: string;
}

export interface FollowSink {
  /** Records the running server wrote after the last ones, in order. */
  records(records: StoredRecord[]): void;
  /** The session's holder is no longer `holder`: `undefined` when it let go or died (its lease lapsed). */
  holderChanged(holder: string | undefined): void;
}

export interface Follower {
  stop(): void;
}

export interface FleetRelay {
  readonly replicaId: string;
  /** How long a silent peer (a server, a held client) is given before it counts as gone. */
  readonly leaseMs: number;
  /** `seenSeq`: what the client saw; a store behind it means the holder is still writing a turn it has not stored yet. */
  runningElsewhere(id: string, seenSeq?: number): Promise<RunningElsewhere | undefined>;
  /** Tails the session's log from `from.after` on a dedicated connection until stopped or the holder changes. */
  follow(id: string, from: RunningElsewhere, sink: FollowSink): Follower;
  /** Sends to one server; a message that cannot be sent is dropped (the peers' heartbeats and timeouts cover it). */
  send(to: string, msg: RelayMessage): void;
  listen(handler: (from: string, msg: RelayMessage) => void): void;
}

/** What a client is told when it tries something that needs the turn running on another server to end first. */
export function runningElsewhere(sessionId: string): RpcError {
  return new RpcError(ErrorCodes.InternalError, 'This conversation is still answering on another server; try again in a moment.', { kind: 'running_elsewhere', sessionId });
}
