/**
 * Agent→client requests (fs, terminal, permission) of one session that outlive a dropped connection. A
 * request whose connection closes keeps waiting — for a resume, up to the grace period — and is sent again,
 * with the same id, to the connection that resumes the session; the first answer settles it.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, RpcError, describeRequest } from '../protocol/jsonrpc';
import { ConnectionClosedError, RequestAbortedError } from '../transport/errors';
import { PendingRequests } from '../transport/pendingRequests';
import type { ClientLink } from './clientLink';

interface Outbound {
  id: string;
  params: unknown;
  signal: AbortSignal;
  /** The connection it was last sent on; undefined while it waits for one. */
  sentOn: ClientLink | undefined;
}

export class OutboundRequests {
  private readonly pending = new PendingRequests<Outbound>();

  get size(): number {
    return this.pending.size;
  }

  /** Sends through `link` now, or waits for {@link resend} when the client is away. */
  request<T>(method: string, params: unknown, signal: AbortSignal, link: ClientLink | undefined): Promise<T> {
    const id = randomUUID();
    if (signal.aborted) return Promise.reject(new RequestAbortedError(method, id));
    const entry: Outbound = { id, params, signal, sentOn: undefined };
    const answer = this.pending.add<T>(id, method, entry, { signal });
    if (link) this.send(method, entry, link);
    return answer;
  }

  /** Sends every request not yet on `link` (the connection that just resumed the session); returns how many. */
  resend(link: ClientLink): number {
    let count = 0;
    for (const { method, data: entry } of this.pending.list()) {
      if (entry.sentOn === link) continue;
      this.send(method, entry, link);
      count++;
    }
    return count;
  }

  /** Fails every request with `reason` (the session ended). */
  failAll(reason: string): void {
    this.pending.rejectAll((method, id) => new RpcError(ErrorCodes.InternalError, `${describeRequest(method, id)} failed: ${reason}`));
  }

  private send(method: string, entry: Outbound, link: ClientLink): void {
    entry.sentOn = link;
    link.request(method, entry.params, entry.signal, entry.id).then(
      (value) => this.pending.settle(entry.id)?.resolve(value),
      (err: Error) => {
        if (this.pending.data(entry.id) !== entry || entry.sentOn !== link) return;
        // The connection dropped: the request waits for the connection that resumes the session.
        if (err instanceof ConnectionClosedError) entry.sentOn = undefined;
        else this.pending.settle(entry.id)?.reject(err);
      },
    );
  }
}
