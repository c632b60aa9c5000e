/**
 * Sockets that have not (yet) upgraded with the right token cost little and cannot crowd out real clients:
 * each is closed `preAuthTimeoutMs` after it connected (slow or half-open headers), they count against
 * `maxConnections` together with the WebSocket clients, and they may take at most half of that cap. A new
 * socket over either bound closes the oldest unauthenticated one, so a flood of idle sockets only churns
 * itself while a client that completes its handshake promptly still gets in. (When WebSocket clients take
 * every place, one socket at a time is still read, to be answered 503 or to ask /health.)
 */
import type { Socket } from 'node:net';
import type { Logger } from '../util/logger';

export interface PreAuthOptions {
  preAuthTimeoutMs: number;
  maxConnections: number;
  logger: Logger;
}

export class PreAuthSockets {
  /** In arrival order, so the first entry is the oldest. */
  private readonly pending = new Map<Socket, NodeJS.Timeout>();
  private readonly maxPending: number;

  constructor(
    private readonly options: PreAuthOptions,
    /** WebSocket clients currently connected. */
    private readonly upgraded: () => number,
  ) {
    this.maxPending = Math.max(1, Math.ceil(options.maxConnections / 2));
  }

  get size(): number {
    return this.pending.size;
  }

  /** A new TCP connection; it stays pending until `settle` (upgraded) or until it closes. */
  admit(socket: Socket): void {
    while (this.pending.size > 0 && (this.pending.size >= this.maxPending || this.upgraded() + this.pending.size >= this.options.maxConnections)) {
      this.evictOldest();
    }
    const timer = setTimeout(() => {
      this.options.logger.debug(`closed a connection from ${socket.remoteAddress} that did not upgrade within ${this.options.preAuthTimeoutMs} ms`);
      socket.destroy();
    }, this.options.preAuthTimeoutMs);
    timer.unref();
    this.pending.set(socket, timer);
    socket.once('close', () => this.settle(socket));
  }

  /** The socket upgraded (or closed): it no longer counts as unauthenticated. */
  settle(socket: Socket): void {
    const timer = this.pending.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pending.delete(socket);
  }

  dispose(): void {
    for (const socket of [...this.pending.keys()]) {
      this.settle(socket);
      socket.destroy();
    }
  }

  private evictOldest(): void {
    const oldest = this.pending.keys().next().value;
    if (!oldest) return;
    this.settle(oldest);
    this.options.logger.debug(`closed the oldest unauthenticated connection (from ${oldest.remoteAddress}) to make room`);
    oldest.destroy();
  }
}
