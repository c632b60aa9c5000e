/** Typed failures of the client manager; each message says what happened and what to do. */
import { ErrorCodes, RpcError, describeRequest, type RequestId } from '../protocol/jsonrpc';

/** The manager is not connected and will not be (failed or disposed), or did not connect in time; `start` names the connect itself. */
export class NotConnectedError extends RpcError {
  constructor(
    readonly method: string,
    readonly reason: string,
    /** The HTTP status the server refused the connection with (401, 403), when that is why. */
    readonly status?: number,
  ) {
    super(ErrorCodes.InternalError, method === 'start' ? `could not connect: ${reason}` : `${method} was not sent: ${reason}`);
    this.name = 'NotConnectedError';
  }
}

/** The session could not be resumed; `replacementSessionId` is the fresh session started in its place, if any. */
export class SessionExpiredError extends RpcError {
  constructor(
    readonly sessionId: string,
    readonly reason: string,
    readonly replacementSessionId?: string,
  ) {
    const next = replacementSessionId ? `; a new session ${replacementSessionId} was started — send the prompt again there` : '';
    super(ErrorCodes.ResourceNotFound, `Session ${sessionId} expired (${reason})${next}`, { sessionId, replacementSessionId });
    this.name = 'SessionExpiredError';
  }
}

/** The connection dropped under a prompt and the server cannot replay what it sent meanwhile. */
export class PromptLostError extends RpcError {
  constructor(
    readonly method: string,
    readonly id: RequestId,
    readonly sessionId: string,
  ) {
    super(
      ErrorCodes.InternalError,
      `${describeRequest(method, id)} was lost: the connection dropped mid-answer and this server cannot replay missed output ` +
        `(session ${sessionId} was resumed; send the prompt again)`,
    );
    this.name = 'PromptLostError';
  }
}
