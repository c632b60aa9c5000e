/**
 * One JSON-RPC 2.0 peer over a vscode-jsonrpc reader/writer pair, used by the server, the client manager
 * and the stdio bridge alike. Both directions: it dispatches incoming requests and notifications to one
 * handler each, and sends requests with UUID ids whose promises always settle — on the answer, on a
 * timeout, on abort, or at once when the connection closes.
 */
import { randomUUID } from 'node:crypto';
import type { Message, MessageReader, MessageWriter, RequestMessage, ResponseMessage } from 'vscode-jsonrpc';
import type { z } from 'zod';
import { Methods } from '../protocol/acp';
import { summarizeIssues } from '../protocol/issues';
import { ErrorCodes, RpcError, describeRequest, isErrorObject, type JsonRpcErrorObject, type RequestId } from '../protocol/jsonrpc';
import { runInBackground } from '../util/background';
import { ConnectionClosedError, InvalidResultError, RequestAbortedError } from './errors';
import { frameText, silentLogger, type Logger } from '../util/logger';
import { PendingRequests } from './pendingRequests';
import { FRAME_TEXT, written, type FramedMessage, type InvalidFrame, type ProtocolErrorSource } from './types';

export interface IncomingRequest {
  id: RequestId;
  method: string;
  params: unknown;
  /** Aborted when the peer sends `$/cancel_request` for this id or the connection closes. */
  signal: AbortSignal;
}

export type RequestHandler = (request: IncomingRequest) => Promise<unknown> | unknown;
export type NotificationHandler = (method: string, params: unknown) => void;

export interface SendRequestOptions<T = unknown> {
  /**
   * What the answer must look like; one that does not fails this request with InvalidResultError. The
   * answer that passes is returned as it came: extra fields are the peer's to add, and a bridge forwards them.
   */
  result?: z.ZodType<T>;
  signal?: AbortSignal;
  /** Reject when no answer came within this many ms (0 or absent: no timeout). */
  timeoutMs?: number;
  /** Use this id instead of a fresh UUID: a request re-sent on a new connection keeps its id. */
  id?: RequestId;
}

export class RpcEndpoint {
  private readonly pending = new PendingRequests<z.ZodType | undefined>();
  private readonly incoming = new Map<RequestId, AbortController>();
  private requestHandler: RequestHandler | undefined;
  private notificationHandler: NotificationHandler | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: ((reason: string) => void)[] = [];

  constructor(
    reader: MessageReader & Partial<ProtocolErrorSource>,
    private readonly writer: MessageWriter,
    private readonly logger: Logger = silentLogger,
  ) {
    // Methods with `this` as the listeners' thisArgs, not closures: the server holds an endpoint per connection.
    reader.onInvalidFrame?.(this.answerInvalid, this);
    reader.onClose(this.peerClosed, this);
    reader.onError(this.readFailed, this);
    writer.onError(this.writeFailed, this);
    reader.listen((message) => this.receive(message));
  }

  private answerInvalid(frame: InvalidFrame): void {
    const where = describeRequest(undefined, frame.id);
    this.logger.debug(`invalid frame (${where}): ${frame.error.message}`);
    // The peer may be gone before the answer is written: that is its loss, never an unhandled rejection.
    this.sendRaw({ jsonrpc: '2.0', id: frame.id, error: frame.error } as ResponseMessage).catch((err: Error) => this.logger.debug(`could not answer the invalid frame (${where}): ${err.message}`));
  }

  private peerClosed(): void {
    this.close('peer closed the connection');
  }

  private readFailed(err: Error): void {
    this.logger.debug(`read error: ${err.message}`);
  }

  private writeFailed([err]: [Error, Message | undefined, number | undefined]): void {
    this.logger.debug(`write error: ${err.message}`);
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  onRequest(handler: RequestHandler): void {
    this.requestHandler = handler;
  }

  onNotification(handler: NotificationHandler): void {
    this.notificationHandler = handler;
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /** Sends a notification; rejects when it could not be handed to the transport (the connection is closing). */
  notify(method: string, params: unknown): Promise<void> {
    return this.sendRaw({ jsonrpc: '2.0', method, params } as Message);
  }

  /**
   * Sends a notification nobody waits for (a streamed update): when it cannot be handed to the transport the
   * connection is closing, which its close handling deals with. No promise per message on the way. `frame`,
   * when given, is the message's JSON text already made by the sender (it must equal its serialisation).
   */
  post(method: string, params: unknown, frame?: string): void {
    const message: FramedMessage = { jsonrpc: '2.0', method, params } as Message;
    if (frame !== undefined) message[FRAME_TEXT] = frame;
    const sent = this.sendRaw(message);
    if (sent !== written) sent.catch((err: Error) => this.logger.debug(`could not send ${method}: ${err.message}`));
  }

  request<T = unknown>(method: string, params: unknown, options: SendRequestOptions<T> = {}): Promise<T> {
    const id = options.id ?? randomUUID();
    if (this.closedReason !== undefined) return Promise.reject(new ConnectionClosedError(method, id, this.closedReason));
    if (options.signal?.aborted) return Promise.reject(new RequestAbortedError(method, id));
    if (this.pending.has(id)) return Promise.reject(new RpcError(ErrorCodes.InvalidRequest, `${describeRequest(method, id)}: that id is already pending`));
    const answer = this.pending.add<T>(id, method, options.result, {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      onAbort: () => {
        this.notify(Methods.cancelRequest, { requestId: id }).catch(() => {});
      },
    });
    this.sendRaw({ jsonrpc: '2.0', id, method, params } as RequestMessage).catch((err: Error) => this.pending.settle(id)?.reject(new ConnectionClosedError(method, id, err.message)));
    return answer;
  }

  /** Rejects every pending request and aborts every running handler; later sends fail at once. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const rejected = this.pending.rejectAll((method, id) => new ConnectionClosedError(method, id, reason));
    if (rejected > 0) this.logger.debug(`rejected ${rejected} pending request(s): ${reason}`);
    for (const controller of this.incoming.values()) controller.abort(new Error(reason));
    this.incoming.clear();
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  private receive(message: Message): void {
    if (this.logger.traceEnabled?.()) this.logger.trace(`⇠ ${frameText(message)}`);
    const m = message as Partial<RequestMessage & ResponseMessage>;
    if (typeof m.method === 'string') {
      if (m.id === undefined) this.receiveNotification(m.method, m.params);
      else runInBackground(`answering ${describeRequest(m.method, m.id as RequestId)}`, this.receiveRequest(m.id as RequestId, m.method, m.params), this.logger);
      return;
    }
    const entry = this.pending.settle(m.id as RequestId);
    if (!entry) {
      this.logger.debug(`dropped a response for unknown or settled request id ${JSON.stringify(m.id)}`);
      return;
    }
    if (m.error !== undefined && m.error !== null) {
      const err = isErrorObject(m.error) ? m.error : { code: ErrorCodes.InternalError, message: String(m.error) };
      const where = describeRequest(entry.method, m.id as RequestId);
      // Our own peers already name the method and id; say it once.
      const message = err.message.startsWith(where) ? err.message : `${where} failed: ${err.message}`;
      entry.reject(new RpcError(err.code, message, err.data));
      return;
    }
    const result = m.result ?? null;
    const checked = entry.data?.safeParse(result);
    if (!checked || checked.success) return entry.resolve(result);
    const error = new InvalidResultError(entry.method, m.id as RequestId, summarizeIssues(checked.error.issues, '(result)').text);
    this.logger.debug(error.message); // the caller gets the error; a user sees it once
    entry.reject(error);
  }

  private receiveNotification(method: string, params: unknown): void {
    if (method === Methods.cancelRequest) {
      const requestId = (params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) this.incoming.get(requestId)?.abort(new Error('cancelled by the peer'));
      return;
    }
    try {
      this.notificationHandler?.(method, params);
    } catch (err) {
      this.logger.warn(`notification ${method} failed: ${(err as Error).message}`);
    }
  }

  private async receiveRequest(id: RequestId, method: string, params: unknown): Promise<void> {
    const controller = new AbortController();
    this.incoming.set(id, controller);
    let response: ResponseMessage;
    try {
      if (!this.requestHandler) throw new RpcError(ErrorCodes.MethodNotFound, `Method not found: ${method}`);
      const result = await this.requestHandler({ id, method, params, signal: controller.signal });
      response = { jsonrpc: '2.0', id, result: result ?? null };
    } catch (err) {
      response = { jsonrpc: '2.0', id, error: toErrorObject(err, method, id) } as ResponseMessage;
    } finally {
      this.incoming.delete(id);
    }
    try {
      await this.sendRaw(response);
    } catch (err) {
      if (this.closedReason !== undefined || !('result' in response)) {
        this.logger.debug(`could not answer ${describeRequest(method, id)}: ${(err as Error).message}`);
        return;
      }
      // The result itself could not be written (a cycle, a BigInt, too deep): answer with why, not with silence.
      const error = toErrorObject(new Error(`the result could not be sent: ${(err as Error).message}`), method, id);
      await this.sendRaw({ jsonrpc: '2.0', id, error } as ResponseMessage).catch(() => {});
    }
  }

  private sendRaw(message: Message): Promise<void> {
    if (this.closedReason !== undefined) return Promise.reject(new Error(`connection closed (${this.closedReason})`));
    try {
      if (this.logger.traceEnabled?.()) this.logger.trace(`⇢ ${frameText(message)}`);
      return this.writer.write(message);
    } catch (err) {
      // A writer that throws synchronously must not turn into an unhandled rejection that ends the process.
      return Promise.reject(err as Error);
    }
  }
}

/** Error objects always name the method and request id in their message. */
function toErrorObject(err: unknown, method: string, id: RequestId): JsonRpcErrorObject {
  const rpc = RpcError.from(err);
  const where = describeRequest(method, id);
  const message = rpc.message.includes(where) ? rpc.message : `${where}: ${rpc.message}`;
  return rpc.data === undefined ? { code: rpc.code, message } : { code: rpc.code, message, data: rpc.data };
}
