/**
 * A hostile fake Punie server for the CLI chaos tests: it speaks enough of the protocol to get a client
 * going, then answers wrongly. The prompt's text picks the misbehaviour — `null` (result null), `wrong`
 * (a wrong-typed stopReason), `ids` (answers and notifications under unknown, huge and wrong-typed ids
 * before the real answer), `close` (the connection ends in the middle of a frame) — and options break
 * `initialize` or `session/new` for every client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface HostileOptions {
  /** `null`: initialize is answered with `result: null`; `wrong`: with a wrong-typed agentInfo. */
  initialize?: 'null' | 'wrong';
  /** `null`: session/new is answered with `result: null`. */
  newSession?: 'null';
}

const INITIALIZE = {
  protocolVersion: 1,
  agentCapabilities: { loadSession: false },
  authMethods: [],
  agentInfo: { name: 'hostile', version: '0.0.0' },
};

export class HostileServer {
  private next = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(options: HostileOptions = {}): Promise<HostileServer> {
    const http = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server: http });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const server = new HostileServer(http, wss, `ws://127.0.0.1:${(http.address() as AddressInfo).port}/acp`);
    wss.on('connection', (ws) => ws.on('message', (data) => server.answer(ws, JSON.parse(data.toString()) as Record<string, any>, options)));
    return server;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private answer(ws: WebSocket, msg: Record<string, any>, options: HostileOptions): void {
    const send = (value: unknown): void => {
      if (ws.readyState === ws.OPEN) ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    };
    const reply = (result: unknown): void => send({ jsonrpc: '2.0', id: msg.id, result });
    if (msg.id === undefined) return; // notifications (session/cancel) and answers to us
    switch (msg.method) {
      case 'initialize':
        return reply(options.initialize === 'null' ? null : options.initialize === 'wrong' ? { ...INITIALIZE, agentInfo: 5 } : INITIALIZE);
      case 'session/new':
        return reply(options.newSession === 'null' ? null : { sessionId: `hostile-${this.next++}` });
      case 'session/resume':
      case 'session/load':
        return reply(null);
      case 'session/prompt':
        return this.prompt(ws, msg, send, reply);
      default:
        return send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
    }
  }

  private prompt(ws: WebSocket, msg: Record<string, any>, send: (value: unknown) => void, reply: (result: unknown) => void): void {
    const sessionId = msg.params?.sessionId;
    const text = String(msg.params?.prompt?.[0]?.text ?? '');
    const chunk = (t: string) => send({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: t } } } });
    switch (text) {
      case 'null':
        return reply(null);
      case 'wrong':
        return reply({ stopReason: 42 });
      case 'ids':
        for (const id of ['nope', 1e308, -1, 'x'.repeat(200_000), { id: 1 }, [1], true]) send({ jsonrpc: '2.0', id, result: { stopReason: 'end_turn' } });
        send({ jsonrpc: '2.0', id: 'nope', error: 'not an error object' });
        send({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: null } });
        send({ jsonrpc: '2.0', method: 'session/update', params: { sessionId: 5, update: { sessionUpdate: 'agent_message_chunk' } } });
        send({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: null } } });
        send({ jsonrpc: '2.0', method: '_punie/prompt_finished', params: { sessionId, requestId: msg.id, error: 'boom' } });
        send({ jsonrpc: '2.0', id: 'srv-1', method: 'fs/read_text_file', params: null });
        chunk('survived');
        return reply({ stopReason: 'end_turn' });
      case 'close': {
        chunk('half an ans');
        // A text frame that announces 1000 bytes, 10 of them, and the TCP connection ends.
        const tcp = (ws as unknown as { _socket: Socket })._socket;
        tcp.write(Buffer.concat([Buffer.from([0x81, 0x7e, 0x03, 0xe8]), Buffer.alloc(10, 0x7b)]));
        tcp.destroy();
        return;
      }
      default:
        chunk('fine');
        return reply({ stopReason: 'end_turn' });
    }
  }
}
