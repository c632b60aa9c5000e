/** The connection's own failure: a question waited the connect timeout and the server stayed out of reach. Plain code, no vscode. */
import type { ServerMode } from './config';

export class ServerUnreachableError extends Error {
  constructor(
    readonly mode: ServerMode,
    readonly url: string | undefined,
    readonly waitedMs: number,
    readonly lastError: string | undefined,
  ) {
    super(`no connection to the ${mode} server${url ? ` at ${url}` : ''} within ${waitedMs} ms${lastError ? ` (last error: ${lastError})` : ''}`);
    this.name = 'ServerUnreachableError';
  }
}
