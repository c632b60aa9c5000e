/**
 * Stands between a connection's frames and its JSON-RPC endpoint (a filter of its reader). Every inbound frame, valid or not, takes
 * a rate-limit token. Over the limit a request (or an invalid frame) is answered with -32029 instead of
 * being served, and a notification is dropped with a log line (JSON-RPC cannot answer it). Responses and
 * cancels are never refused — they answer the server or stop work — but they still count. Once the limiter
 * says the client is flooding, `onFlood` runs (the connection closes it with 1008) and nothing more is read.
 * Requests whose params hold more than MAX_PARAMS_VALUES values are answered with -32600 before anything
 * validates them.
 */
import type { Message } from 'vscode-jsonrpc';
import { Methods } from '../protocol/acp';
import { ErrorCodes, describeRequest, type JsonRpcErrorObject, type RequestId } from '../protocol/jsonrpc';
import { canonicalMethod } from '../protocol/punie';
import { exceedsValues } from '../transport/jsonLimits';
import type { FilterVerdict, InboundFilter } from '../transport/protocolReader';
import type { InvalidFrame } from '../transport/types';
import type { Logger } from '../util/logger';
import { MAX_PARAMS_VALUES } from './limits';
import type { RateLimiter } from './rateLimit';

const NEVER_REFUSED = new Set<string>([Methods.sessionCancel, Methods.cancelRequest]);

export interface GateHooks {
  now(): number;
  /** The client keeps flooding: close it. Called once. */
  onFlood(refused: number): void;
  logger: Logger;
  clientId: string;
}

/** A filter of the connection's one reader (not a reader of its own: it is held once per connection). */
export class InboundGate implements InboundFilter {
  private flooded = false;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly hooks: GateHooks,
  ) {}

  invalid(frame: InvalidFrame): FilterVerdict {
    const verdict = this.verdict();
    if (verdict === 'pass') return 'pass';
    return verdict === 'refuse' ? { id: frame.id, error: this.refusal(undefined, frame.id) } : 'drop';
  }

  message(message: Message): FilterVerdict {
    const m = message as { id?: RequestId; method?: string; params?: unknown };
    const verdict = this.verdict();
    if (verdict === 'flood') return 'drop';
    if (typeof m.method !== 'string') return 'pass'; // responses are never refused
    if (verdict === 'refuse' && !NEVER_REFUSED.has(canonicalMethod(m.method))) return this.reject(m.method, m.id, this.refusal(m.method, m.id ?? null));
    if (exceedsValues(m.params, MAX_PARAMS_VALUES)) {
      return this.reject(m.method, m.id, {
        code: ErrorCodes.InvalidRequest,
        message: `${describeRequest(m.method, m.id)}: params hold more than ${MAX_PARAMS_VALUES} values; send less per request`,
      });
    }
    return 'pass';
  }

  /** Answers a request with `error`; a notification cannot be answered, so it is dropped and logged. */
  private reject(method: string, id: RequestId | undefined, error: JsonRpcErrorObject): FilterVerdict {
    if (id === undefined) {
      this.hooks.logger.debug(`${this.hooks.clientId}: dropped notification ${method}: ${error.message}`);
      return 'drop';
    }
    return { id, error };
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
