/**
 * On the server running a turn, the client of that session held by another server of the fleet: it stands
 * in the session store as a connection. Numbered events need no sending (the other server tails the
 * session's log); agent→client requests and unnumbered notifications go over the relay, and the answers
 * come back over it. When the other server falls silent or lets go, pending requests fail as on a closed
 * connection: they wait for the session's next attachment, as after any dropped connection.
 */
import { randomUUID } from 'node:crypto';
import type { ClientCapabilities } from '../protocol/acp';
import { RpcError, type RequestId } from '../protocol/jsonrpc';
import { META_SEQ } from '../protocol/punie';
import type { RelayMessage } from '../store/relay';
import { ConnectionClosedError, RequestAbortedError } from '../transport/errors';
import type { ClientLink } from './clientLink';

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class RemoteLink implements ClientLink {
  readonly clientId: string;
  /** When the holding server last said the client is there (attach doubles as heartbeat). */
  seenAt: number;
  private readonly pending = new Map<string, Pending>();

  constructor(
    /** The server holding the client, and the client's id there. */
    readonly server: string,
    readonly remoteClient: string,
    readonly sessionId: string,
    readonly user: string,
    readonly capabilities: ClientCapabilities,
    readonly legacyClient: boolean,
    private readonly send: (msg: RelayMessage) => void,
    now: number,
  ) {
    this.clientId = `${server}/${remoteClient}`;
    this.seenAt = now;
  }

  notify(method: string, params: unknown): void {
    if (typeof (params as { _meta?: Record<string, unknown> } | undefined)?._meta?.[META_SEQ] === 'number') return;
    this.send({ t: 'note', sid: this.sessionId, method, params });
  }

  request<T>(method: string, params: unknown, signal: AbortSignal, id: RequestId = randomUUID()): Promise<T> {
    const rid = String(id);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(rid)) return;
        this.send({ t: 'abort', sid: this.sessionId, rid });
        reject(new RequestAbortedError(method, rid));
      };
      const done = () => signal.removeEventListener('abort', onAbort);
      this.pending.set(rid, {
        method,
        resolve: (value) => (done(), resolve(value as T)),
        reject: (err) => (done(), reject(err)),
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.send({ t: 'request', sid: this.sessionId, client: this.remoteClient, rid, method, params });
    });
  }

  /** The client's answer, relayed. */
  answered(msg: Extract<RelayMessage, { t: 'answer' }>): void {
    const pending = this.pending.get(msg.rid);
    if (!pending) return;
    this.pending.delete(msg.rid);
    if (msg.error) pending.reject(new RpcError(msg.error.code, msg.error.message, msg.error.data));
    else pending.resolve(msg.result);
  }

  /** The holding server let go or fell silent. */
  closed(reason: string): void {
    for (const [rid, pending] of [...this.pending]) {
      this.pending.delete(rid);
      pending.reject(new ConnectionClosedError(pending.method, rid, reason));
    }
  }
}
