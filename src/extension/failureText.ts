/**
 * A failed question as the user reads it: what happened and what to do, in plain words. The kind is chosen
 * by the error's class, JSON-RPC code and `data`, never by words of its message (a model saying "maximum
 * context length is 8192 tokens" is not a bad token). Request ids, session ids and method names stay in the log.
 */
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';

export type FailureKind = 'sessionGone' | 'interrupted' | 'timeout' | 'auth' | 'unreachable' | 'limit' | 'model' | 'other';

export interface Failure {
  kind: FailureKind;
  text: string;
  /** A retry button belongs after the text (the question did not get its whole answer). */
  retry: boolean;
}

export function classifyFailure(err: Error): FailureKind {
  switch (err.name) {
    case 'SessionExpiredError':
      return 'sessionGone';
    case 'PromptLostError':
    case 'ConnectionClosedError':
      return 'interrupted';
    case 'RequestTimeoutError':
      return 'timeout';
    case 'NotConnectedError':
    case 'ConnectError': {
      const status = (err as Error & { status?: number }).status;
      return status === 401 || status === 403 ? 'auth' : 'unreachable';
    }
  }
  if (!(err instanceof RpcError)) return 'other';
  const data = typeof err.data === 'object' && err.data !== null ? (err.data as Record<string, unknown>) : {};
  if (err.code === ErrorCodes.ResourceNotFound && typeof data.sessionId === 'string') return 'sessionGone';
  if (err.code === ErrorCodes.AuthRequired) return 'auth';
  if (err.code === ErrorCodes.LimitExceeded || err.code === ErrorCodes.RateLimited) return 'limit';
  if (typeof data.model === 'string' || data.configId === 'model') return 'model';
  return 'other';
}

export function describeFailure(err: Error): Failure {
  const kind = classifyFailure(err);
  switch (kind) {
    case 'sessionGone':
      return { kind, retry: true, text: 'The server restarted and this session could not be found; your next question starts a new one.' };
    case 'interrupted':
      return { kind, retry: true, text: 'Interrupted: the connection to the Punie server was lost before the answer was complete.' };
    case 'timeout': {
      const ms = (err as Error & { timeoutMs?: number }).timeoutMs;
      const wait = typeof ms === 'number' ? ` for ${Math.round(ms / 1000)} seconds` : '';
      return { kind, retry: true, text: `No answer came${wait}. Check that the agent and its model are running, then try again.` };
    }
    case 'auth':
      return {
        kind,
        retry: false,
        text: `The server refused the connection (HTTP ${(err as Error & { status?: number }).status ?? 401}): the token is missing or wrong. Run "Punie: Connect to Remote Server…" to set it.`,
      };
    case 'unreachable':
      return { kind, retry: true, text: 'Cannot reach the Punie server. Check the punie.server settings or run "Punie: Reconnect Now".' };
    case 'limit':
      return { kind, retry: true, text: 'The server is busy (too many sessions or requests). Wait a moment and try again.' };
    case 'model':
      // The agent words model failures for people ("cannot reach Ollama at … — is `ollama serve` running?").
      return { kind, retry: true, text: err.message };
    case 'other':
      return { kind, retry: false, text: 'Something went wrong. "Punie: Show Logs" has the details.' };
  }
}
