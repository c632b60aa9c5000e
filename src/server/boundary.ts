/**
 * Each client connection's error boundary: one peer must never end the server. Every event of the
 * connection's socket is dispatched inside it, so a listener that throws ends that connection (it is
 * terminated; the client reconnects and resumes) instead of the process. The dispatch also runs in the
 * connection's async context, so a timer or promise chain started for it that fails later is traced back to
 * it by {@link endOwnerOf} — the CLI's process-level handler, the last line, calls it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import type { Logger } from '../util/logger';

const scope = new AsyncLocalStorage<ConnectionBoundary>();

export class ConnectionBoundary {
  private ended = false;

  constructor(
    private readonly clientId: string,
    private readonly logger: Logger,
    private readonly end: () => void,
  ) {}

  /** Dispatches every event of `emitter` inside this boundary. */
  guard(emitter: EventEmitter): void {
    const emit = emitter.emit.bind(emitter);
    emitter.emit = (event: string | symbol, ...args: unknown[]): boolean => this.run(() => emit(event, ...args)) ?? false;
  }

  /** Runs `fn` in this connection's scope; a throw ends the connection and returns undefined. */
  run<T>(fn: () => T): T | undefined {
    try {
      return scope.run(this, fn);
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  /** An unexpected failure of this connection: logged with its stack, and the connection ends (once). */
  fail(err: unknown): void {
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.logger.error(`${this.clientId}: unexpected failure; closing this connection only: ${stack}`);
    if (this.ended) return;
    this.ended = true;
    try {
      this.end();
    } catch (endErr) {
      this.logger.error(`${this.clientId}: could not close the connection: ${(endErr as Error).message}`);
    }
  }
}

/** Ends the connection whose work `err` came from, if it came from one; true when it did. */
export function endOwnerOf(err: unknown): boolean {
  const owner = scope.getStore();
  owner?.fail(err);
  return owner !== undefined;
}
