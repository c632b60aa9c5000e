/**
 * Requests sent to a peer and not answered yet, by id — the one implementation behind the endpoint's own
 * requests and the server's agent→client requests that outlive a connection. Each settles exactly once: on
 * its answer, on abort, on its timeout, or when the owner fails them all; its timer and abort listener go
 * with it, so nothing pending keeps the process alive or fires late.
 */
import type { RequestId } from '../protocol/jsonrpc';
import { RequestAbortedError, RequestTimeoutError } from './errors';

export interface PendingOptions {
  signal?: AbortSignal;
  /** Reject when no answer came within this many ms (0 or absent: no timeout). */
  timeoutMs?: number;
  /** Runs after an abort settled the request (e.g. to tell the peer). */
  onAbort?: () => void;
}

/** A request just taken out of the map, for the caller to settle. */
export interface Settler<D> {
  readonly method: string;
  readonly data: D;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Entry<D> extends Settler<D> {
  cleanup(): void;
}

export class PendingRequests<D = undefined> {
  private readonly entries = new Map<RequestId, Entry<D>>();

  get size(): number {
    return this.entries.size;
  }

  has(id: RequestId): boolean {
    return this.entries.has(id);
  }

  /** The data of a pending request (undefined once it settled). */
  data(id: RequestId): D | undefined {
    return this.entries.get(id)?.data;
  }

  /** Every pending request, as a snapshot that settling does not change. */
  list(): { id: RequestId; method: string; data: D }[] {
    return [...this.entries].map(([id, { method, data }]) => ({ id, method, data }));
  }

  /** Registers request `id`; the promise settles through {@link settle}, an abort of `signal` or the timeout. */
  add<T>(id: RequestId, method: string, data: D, options: PendingOptions = {}): Promise<T> {
    const { signal, timeoutMs, onAbort } = options;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const aborted = () => {
        this.settle(id)?.reject(new RequestAbortedError(method, id));
        onAbort?.();
      };
      this.entries.set(id, {
        method,
        data,
        resolve: resolve as (value: unknown) => void,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', aborted);
        },
      });
      signal?.addEventListener('abort', aborted, { once: true });
      if (timeoutMs && timeoutMs > 0) timer = setTimeout(() => this.settle(id)?.reject(new RequestTimeoutError(method, id, timeoutMs)), timeoutMs);
    });
  }

  /** Takes request `id` out of the map (undefined when it is not pending) for the caller to resolve or reject. */
  settle(id: RequestId): Settler<D> | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    entry.cleanup();
    return entry;
  }

  /** Rejects every pending request with the error `why` makes for it; returns how many there were. */
  rejectAll(why: (method: string, id: RequestId) => Error): number {
    const ids = [...this.entries.keys()];
    for (const id of ids) {
      const entry = this.settle(id)!;
      entry.reject(why(entry.method, id));
    }
    return ids.length;
  }
}
