/**
 * Puts a connection's rate limit in front of its JSON-RPC endpoint. Every inbound frame, valid or not,
 * takes a token. Over the limit a request (or an invalid frame) is answered with -32029 instead of being
 * served, and a notification is dropped with a log line (JSON-RPC cannot answer it). Responses and cancels
 * are never refused — they answer the server or stop work — but they still count. Once the limiter says
 * the client is flooding, `onFlood` runs (the connection closes it with 1008) and nothing more is read.
 */
import { AbstractMessageReader, Emitter, type DataCallback, type Disposable, type Message, type MessageReader } from 'vscode-jsonrpc';
import { Methods } from '../protocol/acp';
import { ErrorCodes, describeRequest, type JsonRpcErrorObject, type RequestId } from '../protocol/jsonrpc';
import { canonicalMethod } from '../protocol/punie';
import type { Logger } from '../transport/logger';
import type { InvalidFrame, ProtocolErrorSource } from '../transport/types';
import type { RateLimiter } from './rateLimit';

const NEVER_REFUSED = new Set<string>([Methods.sessionCancel, Methods.cancelRequest]);

export interface GateHooks {
  now(): number;
  /** The client keeps flooding: close it. Called once. */
  onFlood(refused: number): void;
  logger: Logger;
  clientId: string;
}

export class RateLimitedReader extends AbstractMessageReader implements ProtocolErrorSource {
  private readonly invalidEmitter = new Emitter<InvalidFrame>();
  readonly onInvalidFrame = this.invalidEmitter.event;
  private flooded = false;

  constructor(
    private readonly inner: MessageReader & ProtocolErrorSource,
    private readonly limiter: RateLimiter,
    private readonly hooks: GateHooks,
  ) {
    super();
    inner.onInvalidFrame((frame) => {
      const verdict = this.verdict();
      if (verdict === 'pass') this.invalidEmitter.fire(frame);
      else if (verdict === 'refuse') this.invalidEmitter.fire({ id: frame.id, error: this.refusal(undefined, frame.id) });
    });
    inner.onError((err) => this.fireError(err));
    inner.onClose(() => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => this.receive(message, callback));
  }

  private receive(message: Message, callback: DataCallback): void {
    const m = message as { id?: RequestId; method?: string };
    const verdict = this.verdict();
    if (verdict === 'flood') return;
    if (verdict === 'pass' || typeof m.method !== 'string' || NEVER_REFUSED.has(canonicalMethod(m.method))) {
      callback(message);
      return;
    }
    if (m.id === undefined) {
      this.hooks.logger.debug(`${this.hooks.clientId}: dropped notification ${m.method} over the rate limit`);
      return;
    }
    this.invalidEmitter.fire({ id: m.id, error: this.refusal(m.method, m.id) });
  }

  private verdict(): 'pass' | 'refuse' | 'flood' {
    if (this.flooded) return 'flood';
    const verdict = this.limiter.admit(this.hooks.now());
    if (verdict === 'refuse' && this.limiter.refusedInWindow === 1) {
      this.hooks.logger.warn(`${this.hooks.clientId} is over the rate limit (${this.limiter.describe()}); refusing its messages`);
    }
    if (verdict === 'flood') {
      this.flooded = true;
      this.hooks.onFlood(this.limiter.refusedTotal);
    }
    return verdict;
  }

  private refusal(method: string | undefined, id: RequestId | null): JsonRpcErrorObject {
    const retryAfterMs = this.limiter.retryAfterMs();
    return {
      code: ErrorCodes.RateLimited,
      message: `${describeRequest(method, id)}: rate limit exceeded (${this.limiter.describe()}); slow down and retry in ${retryAfterMs} ms`,
      data: { retryAfterMs },
    };
  }
}
