/**
 * One socket of the client manager with its endpoint and heartbeat, and one promise that settles when it
 * is over: closed by the server, found dead or stale by the heartbeat, or dropped by the client. Whatever
 * ends it, pending requests on it are rejected at once.
 */
import type WebSocket from 'ws';
import type { RpcEndpoint } from '../transport/endpoint';
import { Heartbeat, type HeartbeatOptions } from './heartbeat';

export interface CloseInfo {
  /** `closed`: by the server or the network; `dead`/`sleep`: by the heartbeat; `local`: by the client. */
  kind: 'closed' | 'dead' | 'sleep' | 'local';
  code?: number;
  reason: string;
}

export class LiveConnection {
  readonly closed: Promise<CloseInfo>;
  readonly heartbeat: Heartbeat;
  /** Wall-clock time the handshake completed. */
  connectedAt = 0;
  private over = false;
  private resolveClosed!: (info: CloseInfo) => void;

  constructor(
    readonly socket: WebSocket,
    readonly endpoint: RpcEndpoint,
    heartbeat: HeartbeatOptions,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.heartbeat = new Heartbeat(socket, heartbeat, (failure) => this.drop(failure.kind, failure.reason));
    socket.once('close', (code, reason) => this.finish({ kind: 'closed', code, reason: describeClose(code, reason.toString()) }));
    this.heartbeat.start();
  }

  get isOver(): boolean {
    return this.over;
  }

  /** Ends it now: terminated, or closed with 1000 when the client itself is closing. */
  drop(kind: CloseInfo['kind'], reason: string): void {
    if (this.over) return;
    this.finish({ kind, reason });
    if (kind === 'local') this.socket.close(1000, 'client closed');
    else this.socket.terminate();
  }

  private finish(info: CloseInfo): void {
    if (this.over) return;
    this.over = true;
    this.heartbeat.stop();
    this.endpoint.close(info.reason);
    this.resolveClosed(info);
  }
}

/** Close codes that say retrying cannot help. */
const NO_RETRY: Record<number, string> = {
  1002: 'protocol error',
  1003: 'unsupported data',
  1007: 'invalid data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'missing extension',
};

/** Why reconnecting after this close cannot help, if it cannot. */
export function noRetryReason(info: CloseInfo): string | undefined {
  return info.code !== undefined ? NO_RETRY[info.code] : undefined;
}

/** After a graceful shutdown or restart (1001, 1012) the server is expected back soon, and after a sleep the network: retry at once. */
export function comesBackAtOnce(info: CloseInfo): boolean {
  return info.kind === 'sleep' || info.code === 1001 || info.code === 1012;
}

function describeClose(code: number, reason: string): string {
  if (code === 1006) return 'the connection was lost (1006, no close frame)';
  return `the server closed the connection (${code}${reason ? ` ${reason}` : ''})`;
}
