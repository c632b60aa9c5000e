/**
 * On the server holding a client, a turn of its session that runs on another server of the fleet (the
 * client reconnected here mid-turn). The session's log is tailed and every numbered event forwarded as if
 * emitted here, so the client misses and repeats nothing; the client's attachment is announced to the
 * running server (and again as a heartbeat), its cancel sent there, and the agent's requests relayed to
 * the client and answered back. When the turn ends (or its server dies) the session moves here: `ended`.
 */
import { ErrorCodes, RpcError, type RequestId } from '../protocol/jsonrpc';
import { PROMPT_FINISHED } from '../protocol/punie';
import type { FleetRelay, Follower, RelayMessage, RunningElsewhere } from '../store/relay';
import type { StoredRecord } from '../store/types';
import { eventOf } from './restore';
import type { ClientLink } from './clientLink';
import type { RemoteTurn, ServerSession } from './serverSession';

export interface RelayedTurnHooks {
  linkOf(clientId: string): ClientLink | undefined;
  /** The turn ended or its server let go or died (`holder` undefined); or another server took the session. */
  ended(session: ServerSession, holder: string | undefined): void;
}

export class RelayedTurn implements RemoteTurn {
  /** The server running the turn. */
  readonly holder: string;
  private readonly follower: Follower;
  private readonly heartbeat: NodeJS.Timeout;
  /** The request id of the running prompt (its `prompt_finished` is the turn's last event). */
  private rid: RequestId | undefined;
  private turnEnded = false;
  private fallback: NodeJS.Timeout | undefined;
  private stopped = false;
  private attachedClient: string | undefined;
  /** Resumes from a seq the store did not have yet (the running server sent it before writing it). */
  private readonly waiting: { seq: number; resolve(): void }[] = [];
  /** Set once the turn ended: the session is moving here (a prompt sent meanwhile waits for it). */
  moving: Promise<void> | undefined;
  private readonly answering = new Map<string, AbortController>();

  constructor(
    private readonly relay: FleetRelay,
    readonly session: ServerSession,
    from: RunningElsewhere,
    private readonly hooks: RelayedTurnHooks,
  ) {
    this.holder = from.holder;
    this.rid = openPrompt(from.records);
    this.follower = relay.follow(session.id, from, { records: (records) => this.records(records), holderChanged: (holder) => this.end(holder) });
    this.heartbeat = setInterval(() => this.attached(), Math.max(50, Math.floor(relay.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** Tells the running server where the client is (also the heartbeat that keeps it attached there). */
  attached(): void {
    const link = this.session.attachedTo === undefined ? undefined : this.hooks.linkOf(this.session.attachedTo);
    if (this.stopped || !link) return;
    if (this.attachedClient !== undefined && this.attachedClient !== link.clientId) this.relay.send(this.holder, { t: 'detach', sid: this.session.id, client: this.attachedClient });
    this.attachedClient = link.clientId;
    this.relay.send(this.holder, { t: 'attach', sid: this.session.id, client: link.clientId, user: link.user, capabilities: link.capabilities, legacy: link.legacyClient === true });
  }

  /** Resolves once events through `seq` were relayed, or after a lease period (a resume then reports the gap). */
  caughtUp(seq: number): Promise<void> {
    if (this.stopped || this.session.seq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.relay.leaseMs);
      const waiter = { seq, resolve: done };
      this.waiting.push(waiter);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  cancel(): void {
    this.relay.send(this.holder, { t: 'cancel', sid: this.session.id });
  }

  /** An agent→client request of the running turn: asked of the client here, answered there. */
  request(msg: Extract<RelayMessage, { t: 'request' }>): void {
    if (this.stopped) return;
    const controller = new AbortController();
    this.answering.set(msg.rid, controller);
    const answer = (reply: { result?: unknown; error?: { code: number; message: string; data?: unknown } }) => {
      this.answering.delete(msg.rid);
      this.relay.send(this.holder, { t: 'answer', sid: this.session.id, client: msg.client, rid: msg.rid, result: reply.result, error: reply.error });
    };
    this.session.requestRelayed(msg.method, msg.params, controller.signal).then(
      (result) => answer({ result }),
      (err: Error) => {
        if (controller.signal.aborted) return;
        answer({ error: err instanceof RpcError ? err.toJSON() : { code: ErrorCodes.InternalError, message: err.message } });
      },
    );
  }

  abort(rid: string): void {
    this.answering.get(rid)?.abort();
    this.answering.delete(rid);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.follower.stop();
    clearInterval(this.heartbeat);
    if (this.fallback) clearTimeout(this.fallback);
    for (const waiter of this.waiting.splice(0)) waiter.resolve();
    for (const controller of this.answering.values()) controller.abort();
    this.answering.clear();
    if (this.attachedClient !== undefined) this.relay.send(this.holder, { t: 'detach', sid: this.session.id, client: this.attachedClient });
  }

  /** Forwards the numbered events; after the turn's last one (its `prompt_finished`) the session moves here. */
  private records(records: StoredRecord[]): void {
    for (const record of records) {
      if (this.stopped) return;
      // A copy made before the prompt was stored (its client was ahead of the store) learns it here.
      if (record.k === 'prompt') this.rid = record.rid;
      if (record.k === 'turn_end') {
        this.turnEnded = true;
        if (record.rid === undefined) return this.end(this.holder);
        // A turn whose client was still on its own server has no prompt_finished; it moves anyway.
        this.fallback ??= setTimeout(() => this.end(this.holder), this.relay.leaseMs);
        continue;
      }
      const event = eventOf(this.session.id, record);
      if (event) this.session.relayed(event);
      if (event && this.waiting.length) this.wake();
      if (this.turnEnded && record.k === 'e' && record.m === PROMPT_FINISHED && record.p.requestId === this.rid) return this.end(this.holder);
    }
  }

  private wake(): void {
    for (const waiter of this.waiting.filter((w) => w.seq <= this.session.seq)) {
      this.waiting.splice(this.waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private end(holder: string | undefined): void {
    if (this.stopped) return;
    this.stop();
    this.hooks.ended(this.session, holder);
  }
}

/** The request id of the prompt that has no turn end yet. */
function openPrompt(records: readonly StoredRecord[]): RequestId | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.k === 'turn_end') return undefined;
    if (r.k === 'prompt') return r.rid;
  }
  return undefined;
}
