/** An AgentHost for unit tests: records updates and answers client requests with a test-supplied handler. */
import type { AgentHost } from '../../src/agent/host';
import type { ChatMessage } from '../../src/agent/models/types';
import type { ClientCapabilities, SessionUpdate } from '../../src/protocol/acp';
import { ErrorCodes, RpcError } from '../../src/protocol/jsonrpc';

export type RequestHandler = (method: string, params: any, signal: AbortSignal) => unknown;

export class FakeHost implements AgentHost {
  readonly updates: SessionUpdate[] = [];
  readonly requests: { method: string; params: any; signal: AbortSignal }[] = [];
  /** What the agent added to its history, and whether it said the first message is the streamed answer. */
  readonly remembered: { messages: readonly ChatMessage[]; streamed: boolean }[] = [];

  constructor(
    public capabilities: ClientCapabilities = {},
    public handler: RequestHandler = (method) => {
      throw new RpcError(ErrorCodes.MethodNotFound, `no handler for ${method}`);
    },
  ) {}

  remember(messages: readonly ChatMessage[], streamed: boolean): void {
    this.remembered.push({ messages, streamed });
  }

  emit(update: SessionUpdate): void {
    this.updates.push(update);
  }

  request<T>(method: string, params: unknown, signal: AbortSignal): Promise<T> {
    this.requests.push({ method, params, signal });
    if (signal.aborted) return Promise.reject(new RpcError(ErrorCodes.RequestCancelled, `${method} was cancelled`));
    return new Promise<T>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new RpcError(ErrorCodes.RequestCancelled, `${method} was cancelled`)), { once: true });
      Promise.resolve()
        .then(() => this.handler(method, params, signal))
        .then((v) => resolve(v as T), reject);
    });
  }

  clientCapabilities(): ClientCapabilities {
    return this.capabilities;
  }

  kinds(): string[] {
    return this.updates.map((u) => u.sessionUpdate);
  }
}
