/**
 * A stand-in for Punie's Python server (punie-protocol.md §2–3), on 127.0.0.1: updates carry no seq and
 * nothing is replayed; `session/resume` takes a top-level resume token and answers `{}`; until it notices
 * that the old socket is gone it refuses with "…is not disconnected (already connected?)"; errors are
 * -32603 with the cause only in `data`; output of a prompt whose connection dropped is lost.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface LegacyOptions {
  /** Chunks (and ms between them) of every answer. */
  chunks: number;
  delayMs: number;
  /** How long after a close the server still thinks the client is connected. */
  noticeDelayMs: number;
}

interface Client {
  ws: WebSocket;
  disconnected: boolean;
}

export class LegacyServer {
  readonly resumeParams: Record<string, unknown>[] = [];
  private readonly clients = new Map<string, Client>();
  private readonly sessions = new Map<string, { owner: string; token: string }>();
  private next = 0;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly options: LegacyOptions,
  ) {
    wss.on('connection', (ws) => this.accept(ws));
  }

  static async start(options: LegacyOptions): Promise<LegacyServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    return new LegacyServer(wss, options);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const c of this.wss.clients) c.terminate();
      this.wss.close(() => resolve());
    });
  }

  private accept(ws: WebSocket): void {
    const id = `client-${this.next++}`;
    const client: Client = { ws, disconnected: false };
    this.clients.set(id, client);
    ws.on('close', () => setTimeout(() => (client.disconnected = true), this.options.noticeDelayMs));
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (!('method' in msg)) return;
      const reply = (body: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, ...body }));
      const fail = (data: string) => reply({ error: { code: -32603, message: 'Internal error', data } });
      this.handle(id, msg.method, msg.params ?? {}, reply, fail).catch((err: Error) => fail(err.message));
    });
  }

  private async handle(clientId: string, method: string, p: Record<string, any>, reply: (b: object) => void, fail: (d: string) => void): Promise<void> {
    const sessionId = p.sessionId ?? p.session_id;
    switch (method) {
      case 'initialize':
        return reply({
          result: {
            agentCapabilities: { loadSession: false, mcpCapabilities: { http: false, sse: false }, promptCapabilities: { audio: false, embeddedContext: false, image: false }, sessionCapabilities: {} },
            agentInfo: { name: 'punie-agent', title: 'Punie AI Coding Agent', version: '0.1.0' },
            authMethods: [],
            protocolVersion: 1,
          },
        });
      case 'session/new':
      case 'new_session': {
        const id = `punie-session-${this.next++}`;
        const token = `token-${id}`;
        this.sessions.set(id, { owner: clientId, token });
        return reply({ result: { _meta: { resume_token: token }, sessionId: id } });
      }
      case 'session/resume':
      case 'resume_session': {
        this.resumeParams.push(p);
        const session = this.sessions.get(sessionId);
        if (!session) return fail(`Session ${sessionId} not found or expired`);
        if ((p.resumeToken ?? p.resume_token) !== session.token) return fail('Invalid resume token');
        if (!this.clients.get(session.owner)?.disconnected) return fail(`Session owner ${session.owner} is not disconnected (already connected?)`);
        session.owner = clientId;
        return reply({ result: {} });
      }
      case 'session/prompt':
      case 'prompt': {
        const session = this.sessions.get(sessionId);
        if (!session) return fail('No client connection established');
        // Updates go to the socket that owned the session when the prompt started, as in Punie.
        const target = this.clients.get(session.owner)!.ws;
        for (let i = 0; i < this.options.chunks; i++) {
          await new Promise((r) => setTimeout(r, this.options.delayMs));
          const update = { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `<${i}>` } };
          if (target.readyState === target.OPEN) target.send(JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update } }));
        }
        return reply({ result: { stopReason: 'end_turn' } });
      }
      case 'session/cancel':
      case 'cancel':
        return reply({ result: {} });
      default:
        return reply({ error: { code: -32601, message: 'Method not found', data: `Unknown method: ${method}` } });
    }
  }
}
