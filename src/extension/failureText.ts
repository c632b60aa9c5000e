/**
 * A failed turn as the user reads it: what happened and what to do, in plain words. Chosen by the error's
 * class or JSON-RPC code, never by matching its message (messages name methods and request ids, which belong
 * in the log). Plain code, no vscode.
 */
import { NotConnectedError, PromptLostError, SessionExpiredError } from '../client/errors';
import { ServerCheckError } from '../client/serverCheck';
import { ConnectError } from '../client/socket';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { ConnectionClosedError, RequestTimeoutError } from '../transport/errors';
import { ServerUnreachableError } from './unreachable';

const CONNECT = '"Punie: Connect to Remote Server…"';
const USE_LOCAL = '"Punie: Use Local Server"';
const LOGS = '"Punie: Show Logs"';

/** The server no longer has the session (expired, restarted, resumed without replay): the next question needs a new one. */
export function sessionGone(err: unknown): boolean {
  if (err instanceof SessionExpiredError || err instanceof PromptLostError) return true;
  return err instanceof RpcError && err.code === ErrorCodes.ResourceNotFound && hasSessionId(err.data);
}

export function failureText(err: unknown): string {
  if (sessionGone(err)) return 'The server restarted and this session could not be found; your next question starts a new one.';
  if (err instanceof ServerCheckError) return serverProblemText(err);
  if (err instanceof ServerUnreachableError) {
    const where = err.url ? ` at ${err.url}` : '';
    const fix = err.mode === 'remote' ? `Check that it is running, or run ${CONNECT} or ${USE_LOCAL}` : `Run "Punie: Restart Local Server"`;
    return `Punie could not reach the ${err.mode} server${where} within ${seconds(err.waitedMs)}. ${fix}, then send your question again.`;
  }
  if (err instanceof RequestTimeoutError) {
    return `No answer from the agent for ${seconds(err.timeoutMs)}. Check that the agent and its model are running, then ask again.`;
  }
  if ((err instanceof ConnectError || err instanceof NotConnectedError) && err.status === 401) return `The server refused the token. Run ${CONNECT} to set it.`;
  if (err instanceof NotConnectedError || err instanceof ConnectionClosedError || err instanceof ConnectError) {
    return `The connection to the Punie server failed. Check the punie.server.* settings or run "Punie: Reconnect Now", then ask again. ${LOGS} has the details.`;
  }
  return `Something went wrong. ${LOGS} has the details.`;
}

export type FailureKind = 'sessionGone' | 'interrupted' | 'model' | 'limit' | 'connection' | 'other';

/** A failed question for the chat: the text, and whether a Retry button belongs after it. */
export interface Failure {
  kind: FailureKind;
  text: string;
  retry: boolean;
}

export function describeFailure(err: unknown): Failure {
  if (sessionGone(err)) return { kind: 'sessionGone', retry: true, text: failureText(err) };
  if (err instanceof ConnectionClosedError) {
    return { kind: 'interrupted', retry: true, text: 'Interrupted — the connection to the Punie server ended before the answer was complete.' };
  }
  if (err instanceof RpcError && (err.code === ErrorCodes.LimitExceeded || err.code === ErrorCodes.RateLimited)) {
    return { kind: 'limit', retry: true, text: 'The server is busy (too many sessions or requests). Wait a moment, then ask again.' };
  }
  // The agent words model failures for people ("cannot reach Ollama at … — is `ollama serve` running?"), by `data`.
  const data = err instanceof RpcError && typeof err.data === 'object' && err.data !== null ? (err.data as Record<string, unknown>) : {};
  if (err instanceof RpcError && (typeof data.model === 'string' || data.configId === 'model')) return { kind: 'model', retry: true, text: err.message };
  const connection = err instanceof RequestTimeoutError || err instanceof ServerUnreachableError || err instanceof NotConnectedError || err instanceof ConnectError;
  const refused = (err instanceof ConnectError || err instanceof NotConnectedError) && err.status === 401;
  return { kind: connection ? 'connection' : 'other', retry: connection && !refused, text: failureText(err) };
}

/** What is wrong with a server that failed its check, and the fix (the notification offers it as a button). */
export function serverProblemText(err: ServerCheckError): string {
  switch (err.problem) {
    case 'token':
      return `The Punie server at ${err.url} refused the token. Set the right token (${CONNECT}) and ask again.`;
    case 'forbidden':
      return `The Punie server at ${err.url} refuses this client (its allowed hosts or origins). Check the server's settings, or use another URL.`;
    case 'unreachable':
      return `Punie cannot reach a server at ${err.url}. Check that it is running and the URL is right (${CONNECT}), or run ${USE_LOCAL}.`;
    case 'not-punie':
    case 'no-endpoint':
      return `${err.url} is not a Punie server endpoint. Enter the URL "punie serve" printed (${CONNECT}).`;
  }
}

function seconds(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return `${s} ${s === 1 ? 'second' : 'seconds'}`;
}

function hasSessionId(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'sessionId' in data;
}

export interface ProblemAction {
  label: string;
  command: string;
  args: unknown[];
}

/** The buttons of a server-check notification: the fix for that problem first, the local server as a way out. */
export function serverProblemActions(err: ServerCheckError): ProblemAction[] {
  const fix: ProblemAction =
    err.problem === 'token' ? { label: 'Set token…', command: 'punie.connectRemote', args: [err.url] } : { label: 'Edit URL…', command: 'punie.connectRemote', args: [] };
  return [fix, { label: 'Use Local Server', command: 'punie.useLocal', args: [] }];
}
