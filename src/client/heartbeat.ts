/**
 * Liveness of one connection, judged by the client: a ws ping every interval, and a connection that shows
 * no sign of life (pong or message) for two intervals is dead — a half-open peer is caught within two
 * intervals instead of hanging. Timers do not run while a laptop sleeps, so every check also compares the
 * wall clock with the last tick: a jump means the connection is stale, and the caller reconnects at once.
 */
import type WebSocket from 'ws';

export interface HeartbeatOptions {
  intervalMs: number;
  sleepToleranceMs: number;
  now: () => number;
}

export interface HeartbeatFailure {
  kind: 'dead' | 'sleep';
  reason: string;
}

export class Heartbeat {
  private lastAlive = 0;
  private lastTick = 0;
  private pinger: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private failed = false;
  private readonly alive = () => (this.lastAlive = this.options.now());

  constructor(
    private readonly socket: WebSocket,
    private readonly options: HeartbeatOptions,
    private readonly onFailure: (failure: HeartbeatFailure) => void,
  ) {}

  start(): void {
    this.lastAlive = this.lastTick = this.options.now();
    this.socket.on('pong', this.alive);
    this.socket.on('message', this.alive);
    this.pinger = setInterval(() => this.tick(), this.options.intervalMs);
    this.arm(2 * this.options.intervalMs);
  }

  stop(): void {
    clearInterval(this.pinger);
    clearTimeout(this.watchdog);
    this.socket.off('pong', this.alive);
    this.socket.off('message', this.alive);
  }

  /** False (after reporting why) when the connection must be presumed dead; called on every timer and before sends. */
  check(): boolean {
    if (this.failed) return false;
    const now = this.options.now();
    const { intervalMs, sleepToleranceMs } = this.options;
    const sinceTick = now - this.lastTick;
    if (sinceTick > intervalMs + sleepToleranceMs) {
      return this.fail({ kind: 'sleep', reason: `the clock jumped ${Math.round(sinceTick / 1000)} s while heartbeat timers did not run (sleep or suspend)` });
    }
    if (now - this.lastAlive >= 2 * intervalMs) {
      return this.fail({ kind: 'dead', reason: `no answer from the server for ${now - this.lastAlive} ms (two heartbeats)` });
    }
    return true;
  }

  private tick(): void {
    if (!this.check()) return;
    this.lastTick = this.options.now();
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  /** One timer for the two-interval deadline, moved forward lazily instead of on every message. */
  private arm(delay: number): void {
    this.watchdog = setTimeout(() => {
      if (!this.check()) return;
      this.arm(Math.max(1, this.lastAlive + 2 * this.options.intervalMs - this.options.now()));
    }, delay);
  }

  private fail(failure: HeartbeatFailure): false {
    this.failed = true;
    this.stop();
    this.onFailure(failure);
    return false;
  }
}
