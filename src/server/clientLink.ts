/**
 * The connection side of a client, as the session store and its outbound requests see it: a leaf both
 * import, so neither depends on the other (or on the socket class) for the shape.
 */
import type { ClientCapabilities } from '../protocol/acp';
import type { RequestId } from '../protocol/jsonrpc';

export interface ClientLink {
  readonly clientId: string;
  /** The authenticated user the connection acts for. */
  readonly user: string;
  readonly capabilities: ClientCapabilities;
  /** Gets no session updates newer than Punie's Python clients know (see sessionStore's NEWER_UPDATES). */
  readonly legacyClient?: boolean;
  /** True while what is sent now goes straight to the socket (nothing queued): a frame made now is used as it is. */
  readonly flowing?: boolean;
  /** `frame`: the message's JSON text, when the sender already made it (a streamed update). */
  notify(method: string, params: unknown, frame?: string): void;
  /** `id` is given when a request is sent again on a new connection. */
  request<T>(method: string, params: unknown, signal: AbortSignal, id?: RequestId): Promise<T>;
}
