/** The client manager's public surface, for the extension, the CLI and the stdio bridge. */
export { PunieClient } from './punieClient';
export { defaultClientOptions, defaultReconnectOptions, resolveClientOptions, type ClientOptionsInput } from './options';
export { NotConnectedError, PromptLostError, SessionExpiredError } from './errors';
export { ConnectError } from './socket';
export { ConnectionClosedError, RequestAbortedError, RequestTimeoutError } from '../transport/errors';
export type * from './types';
