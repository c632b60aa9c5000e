import { ErrorCodes, RpcError, describeRequest, type RequestId } from '../protocol/jsonrpc';

/** The connection closed while the request was pending; it can never be answered on that connection. */
export class ConnectionClosedError extends RpcError {
  constructor(
    readonly method: string,
    readonly id: RequestId,
    readonly reason: string,
  ) {
    super(ErrorCodes.InternalError, `${describeRequest(method, id)} failed: connection closed (${reason})`);
    this.name = 'ConnectionClosedError';
  }
}

/** No answer (or, for prompts, no activity) within the configured time. */
export class RequestTimeoutError extends RpcError {
  constructor(
    readonly method: string,
    readonly id: RequestId,
    readonly timeoutMs: number,
    kind: 'response' | 'inactivity' | 'total' = 'response',
  ) {
    const what = kind === 'inactivity' ? `no activity for ${timeoutMs} ms` : `no response within ${timeoutMs} ms`;
    super(ErrorCodes.InternalError, `${describeRequest(method, id)} timed out: ${what}`);
    this.name = 'RequestTimeoutError';
  }
}

/** The caller aborted the request. */
export class RequestAbortedError extends RpcError {
  constructor(
    readonly method: string,
    readonly id: RequestId,
  ) {
    super(ErrorCodes.RequestCancelled, `${describeRequest(method, id)} was cancelled`);
    this.name = 'RequestAbortedError';
  }
}

/** The peer answered, but not with what the method returns: that one request fails, the connection goes on. */
export class InvalidResultError extends RpcError {
  constructor(
    readonly method: string,
    readonly id: RequestId,
    readonly problem: string,
  ) {
    super(ErrorCodes.InternalError, `${describeRequest(method, id)} failed: the answer is not valid (${problem})`);
    this.name = 'InvalidResultError';
  }
}
