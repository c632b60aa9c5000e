/**
 * Agent→client requests (fs, terminal, permission) of one session that outlive a dropped connection. A
 * request whose connection closes keeps waiting — for a resume, up to the grace period — and is sent again,
 * with the same id, to the connection that resumes the session; the first answer settles it.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, RpcError, describeRequest } from '../protocol/jsonrpc';
import { ConnectionClosedError, RequestAbortedError } from '../transport/errors';
import type { ClientLink } from './clientLink';

interface Outbound {
  id: string;
  method: string;
  params: unknown;
  signal: AbortSignal;
  resolve(value: unknown): void;
  reject(error: Error): void;
  cleanup(): void;
  /** The connection it was last sent on; undefined while it waits for one. */
  sentOn: ClientLink | undefined;
}

export class OutboundRequests {
  private readonly pending = new Map<string, Outbound>();

  get size(): number {
    return this.pending.size;
  }

  /** Sends through `link` now, or waits for {@link resend} when the client is away. */
  request<T>(method: string, params: unknown, signal: AbortSignal, link: ClientLink | undefined): Promise<T> {
    const id = randomUUID();
    if (signal.aborted) return Promise.reject(new RequestAbortedError(method, id));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.settle(id)?.reject(new RequestAbortedError(method, id));
      const entry: Outbound = {
        id,
        method,
        params,
        signal,
        resolve: resolve as (value: unknown) => void,
        reject,
        cleanup: () => signal.removeEventListener('abort', onAbort),
        sentOn: undefined,
      };
      this.pending.set(id, entry);
      signal.addEventListener('abort', onAbort, { once: true });
      if (link) this.send(entry, link);
    });
  }

  /** Sends every request not yet on `link` (the connection that just resumed the session); returns how many. */
  resend(link: ClientLink): number {
    let count = 0;
    for (const entry of [...this.pending.values()]) {
      if (entry.sentOn === link) continue;
      this.send(entry, link);
      count++;
    }
    return count;
  }

  /** Fails every request with `reason` (the session ended). */
  failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) {
      const entry = this.settle(id)!;
      entry.reject(new RpcError(ErrorCodes.InternalError, `${describeRequest(entry.method, id)} failed: ${reason}`));
    }
  }

  private send(entry: Outbound, link: ClientLink): void {
    entry.sentOn = link;
    link.request(entry.method, entry.params, entry.signal, entry.id).then(
      (value) => this.settle(entry.id)?.resolve(value),
      (err: Error) => {
        if (this.pending.get(entry.id) !== entry || entry.sentOn !== link) return;
        // The connection dropped: the request waits for the connection that resumes the session.
        if (err instanceof ConnectionClosedError) entry.sentOn = undefined;
        else this.settle(entry.id)?.reject(err);
      },
    );
  }

  private settle(id: string): Outbound | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    entry.cleanup();
    return entry;
  }
}
