/**
 * A quick look at a server before the client manager starts dialling it: `/health` must answer like a Punie
 * server, then a WebSocket upgrade with the token must be accepted. The client manager retries a dead URL
 * forever (that is right for a server that went away); this check is what tells a user at once that the URL
 * or the token they just entered is wrong. Plain Node: no `vscode` import.
 */
import { z } from 'zod';
import { ConnectError, openSocket } from './socket';

/** What is wrong, so a UI can offer the fix: edit the URL (`unreachable`, `not-punie`, `no-endpoint`) or the token (`token`). */
export type ServerProblem = 'unreachable' | 'not-punie' | 'no-endpoint' | 'token' | 'forbidden';

export class ServerCheckError extends Error {
  constructor(
    readonly problem: ServerProblem,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServerCheckError';
  }
}

export interface ServerCheckOptions {
  token?: string;
  /** For the whole check (both steps). */
  timeoutMs: number;
  signal?: AbortSignal;
}

const Health = z.object({ status: z.literal('ok') });

/** The `/health` URL beside a `ws(s)://host/…/ws` endpoint. */
export function healthUrl(wsUrl: string): string {
  const url = new URL('health', wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.search = '';
  return url.toString();
}

/** Resolves when the server is up and takes the token; rejects with a ServerCheckError saying what is wrong. */
export async function checkServer(url: string, options: ServerCheckOptions): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  await checkHealth(url, options);
  options.signal?.throwIfAborted();
  await checkUpgrade(url, options.token, Math.max(1, Math.ceil(deadline - performance.now())));
}

async function checkHealth(url: string, options: ServerCheckOptions): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let body: unknown;
  let status: number;
  try {
    const response = await fetch(healthUrl(url), { signal, redirect: 'error', headers: { accept: 'application/json' } });
    status = response.status;
    body = await response.json().catch(() => undefined);
  } catch (err) {
    options.signal?.throwIfAborted();
    const why = timeout.aborted ? `no answer within ${Math.round(options.timeoutMs / 1000)} s` : describeNetworkError(err);
    throw new ServerCheckError('unreachable', url, `Nothing answers at ${url} (${why}).`);
  }
  if (status !== 200 || !Health.safeParse(body).success) {
    throw new ServerCheckError('not-punie', url, `The server at ${url} answers, but not like a Punie server (its health check said HTTP ${status}).`);
  }
}

async function checkUpgrade(url: string, token: string | undefined, timeoutMs: number): Promise<void> {
  try {
    const { socket } = await openSocket(url, { token, connectTimeoutMs: timeoutMs });
    socket.close(1000, 'server check');
  } catch (err) {
    const status = err instanceof ConnectError ? err.status : undefined;
    if (status === 401) throw new ServerCheckError('token', url, `The server at ${url} refused the token (HTTP 401).`);
    if (status === 403) throw new ServerCheckError('forbidden', url, `The server at ${url} refused this client (HTTP 403: its Host or Origin is not allowed).`);
    if (status === 404) throw new ServerCheckError('no-endpoint', url, `The server at ${url} has no Punie endpoint at that path (HTTP 404; use …/ws).`);
    throw new ServerCheckError('unreachable', url, `The server at ${url} did not accept the connection (${(err as Error).message}).`);
  }
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused; is the server running?';
  if (cause?.code === 'ENOTFOUND') return 'no such host';
  return typeof cause?.message === 'string' ? cause.message : (err as Error).message;
}
