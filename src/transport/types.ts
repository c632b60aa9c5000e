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
