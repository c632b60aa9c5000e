import type { Event } from 'vscode-jsonrpc';
import type { JsonRpcErrorObject, RequestId } from '../protocol/jsonrpc';

/** A frame that was not a valid JSON-RPC message, with the error to answer it with. */
export interface InvalidFrame {
  id: RequestId | null;
  error: JsonRpcErrorObject;
}

/** Readers that report invalid frames so the endpoint can answer them. */
export interface ProtocolErrorSource {
  readonly onInvalidFrame: Event<InvalidFrame>;
}

/**
 * What writers resolve with once a message is handed to the socket: one shared settled promise, so a sender
 * that does not wait for the write (a streamed update) allocates nothing and schedules nothing per message.
 */
export const written: Promise<void> = Promise.resolve();
