import type { Event, Message } from 'vscode-jsonrpc';
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

/**
 * A message may carry its own JSON text under this key (JSON.stringify skips symbol keys): a streamed update
 * is serialised once, where it is made, and the same text goes to the socket (and its record to the log).
 */
export const FRAME_TEXT = Symbol('frameText');

export type FramedMessage = Message & { [FRAME_TEXT]?: string };

/** The message's own JSON text when it carries one, else its serialisation. */
export function frameOf(message: Message): string {
  return (message as FramedMessage)[FRAME_TEXT] ?? JSON.stringify(message);
}
