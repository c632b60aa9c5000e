/**
 * Live turns across the servers of a fleet. A client that reconnects to this server while its session's
 * turn runs on another one gets a relaying copy of the session here (relayedTurn.ts); once that turn ends,
 * or its server dies, the session moves here. Conversely, for a turn running here whose client is now on
 * another server, that client stands in the session store as a RemoteLink (remoteLink.ts), kept attached
 * by its server's heartbeats. The messages between the two go over the store's relay.
 */
import { SESSION_TAKEN } from '../protocol/punie';
import type { FleetRelay, RelayMessage } from '../store/relay';
import type { DurableStore } from '../store/types';
import { runInBackground } from '../util/background';
import type { Logger } from '../util/logger';
import { RelayedTurn } from './relayedTurn';
import { RemoteLink } from './remoteLink';
import type { ModelFactory, ServerSession } from './serverSession';
import type { SessionStore } from './sessionStore';

export interface FleetOptions {
  now: () => number;
  logger: Logger;
}

export class FleetSessions {
  /** Clients held by other servers, of turns running here, by their id in the session store. */
  private readonly links = new Map<string, RemoteLink>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly models = new Map<string, ModelFactory>();

  constructor(
    private readonly relay: FleetRelay,
    private readonly store: SessionStore,
    private readonly durable: DurableStore,
    private readonly options: FleetOptions,
  ) {
    relay.listen((from, msg) => this.received(from, msg));
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.floor(relay.leaseMs / 3)));
    this.sweeper.unref();
  }

  /** A relaying copy of the session when its turn runs on another live server; else undefined (load it as usual). */
  async runningElsewhere(sessionId: string, models: ModelFactory, seenSeq?: number): Promise<ServerSession | undefined> {
    const remote = await this.relay.runningElsewhere(sessionId, seenSeq);
    if (!remote) return undefined;
    const raced = this.store.get(sessionId);
    if (raced) return raced;
    const session = this.store.restore(remote.records, models, true);
    session.remote = new RelayedTurn(this.relay, session, remote, { linkOf: (id) => this.store.linkOf(id), ended: (s, holder) => this.ended(s, holder) });
    this.models.set(sessionId, models);
    this.options.logger.info(`session ${sessionId}: its turn runs on server ${remote.holder}; relaying it here`);
    return session;
  }

  dispose(): void {
    clearInterval(this.sweeper);
    for (const link of this.links.values()) link.closed('the server is shutting down');
    this.links.clear();
  }

  /** The relayed turn ended, or its server let go or died: the session moves here (or, taken by a third server, leaves). */
  private ended(copy: ServerSession, holder: string | undefined): void {
    const remote = copy.remote as RelayedTurn;
    if (holder !== undefined && holder !== remote.holder) {
      this.models.delete(copy.id);
      this.store.claimed(copy.id);
      return;
    }
    remote.moving = this.moveHere(copy).catch((err: Error) => this.options.logger.error(`moving session ${copy.id} here failed unexpectedly: ${err.stack ?? err.message}`));
  }

  private async moveHere(copy: ServerSession): Promise<void> {
    const models = this.models.get(copy.id);
    this.models.delete(copy.id);
    let records;
    try {
      records = await this.durable.load(copy.id);
    } catch (err) {
      this.options.logger.warn(`session ${copy.id}: cannot move it here after its relayed turn (${(err as Error).message}); its client must open it again`);
      if (this.store.get(copy.id) === copy) this.store.claimed(copy.id);
      return;
    }
    if (!records || !models || this.store.get(copy.id) !== copy) return;
    const session = this.store.restore(records, models);
    session.adopt(copy);
    runInBackground(`closing the relaying copy of ${copy.id}`, copy.close('moved to this server'), this.options.logger);
    const link = session.attachedTo === undefined ? undefined : this.store.linkOf(session.attachedTo);
    const missed = session.replaySince(copy.seq);
    if (link && missed.ok) for (const entry of missed.entries) link.notify(entry.method, entry.params);
    this.options.logger.info(`session ${copy.id} moved here after its turn on another server ended`);
  }

  private received(from: string, msg: RelayMessage): void {
    const session = this.store.get(msg.sid);
    switch (msg.t) {
      case 'attach':
        return this.attach(from, msg, session);
      case 'detach':
        return this.detach(`${from}/${msg.client}`, 'the client left that server');
      case 'cancel':
        if (session && !session.remote && this.links.has(session.attachedTo ?? '')) session.agent.cancel();
        return;
      case 'answer':
        this.links.get(`${from}/${msg.client}`)?.answered(msg);
        return;
      case 'request':
      case 'abort':
      case 'note':
        return this.forRelayed(from, msg, session);
    }
  }

  /** A client on another server wants the turn running here: it is attached as a RemoteLink (or, already, is seen again). */
  private attach(from: string, msg: Extract<RelayMessage, { t: 'attach' }>, session: ServerSession | undefined): void {
    if (!session || session.remote || session.owner !== msg.user) return;
    const id = `${from}/${msg.client}`;
    let link = this.links.get(id);
    if (link) {
      link.seenAt = this.options.now();
      if (session.attachedTo === id && this.store.linkOf(id) === link) return;
    } else {
      link = new RemoteLink(from, msg.client, msg.sid, msg.user, msg.capabilities, msg.legacy, (m) => this.relay.send(from, m), this.options.now());
      this.links.set(id, link);
    }
    this.store.connect(link);
    this.store.resume(msg.sid, undefined, id);
    const resent = session.outbound.resend(link);
    this.options.logger.info(`session ${msg.sid}: its client is on server ${from} now${resent ? `; ${resent} waiting request(s) sent there` : ''}`);
  }

  private detach(id: string, reason: string): void {
    const link = this.links.get(id);
    if (!link) return;
    this.links.delete(id);
    link.closed(reason);
    this.store.disconnect(id);
  }

  /** Messages from the server running a turn this server relays. */
  private forRelayed(from: string, msg: Extract<RelayMessage, { t: 'request' | 'abort' | 'note' }>, session: ServerSession | undefined): void {
    const turn = session?.remote;
    if (!(turn instanceof RelayedTurn) || turn.holder !== from) return;
    if (msg.t === 'request') turn.request(msg);
    else if (msg.t === 'abort') turn.abort(msg.rid);
    else if (msg.method === SESSION_TAKEN) this.store.claimed(msg.sid);
    else if (session?.attachedTo !== undefined) this.store.linkOf(session.attachedTo)?.notify(msg.method, msg.params);
  }

  /** Clients whose server fell silent for a lease period are detached (their requests wait for the next attachment). */
  private sweep(): void {
    const now = this.options.now();
    for (const [id, link] of [...this.links]) if (now - link.seenAt > this.relay.leaseMs) this.detach(id, 'its server fell silent');
  }
}
