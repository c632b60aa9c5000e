/**
 * A light client for long streams: it counts `session/update`s and their bytes instead of keeping them,
 * records when each chunk arrived, and resolves calls by id. Used by the slow-consumer test and benchmarks.
 */
import type WebSocket from 'ws';
import { openSocket } from './server';

export class StreamClient {
  updates = 0;
  bytes = 0;
  lastSeq = 0;
  /** Receive times (ms, performance.now) of updates, when `recordTimes` is on. */
  readonly times: number[] = [];
  recordTimes = false;
  /** Off: frames are only counted (a reader that costs the measuring process nothing). */
  parse = true;
  onUpdate: ((update: { params: { sessionId: string; update: { content?: { text?: string } } } }) => void) | undefined;
  private readonly calls = new Map<string, (message: any) => void>();
  private nextId = 0;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.bytes += data.length;
      if (!this.parse) return;
      const message = JSON.parse(data.toString());
      if (message.method === 'session/update') {
        this.updates++;
        this.lastSeq = message.params._meta?.seq ?? this.lastSeq;
        if (this.recordTimes) this.times.push(performance.now());
        this.onUpdate?.(message);
      } else if (typeof message.id === 'string' && this.calls.has(message.id)) {
        this.calls.get(message.id)!(message);
        this.calls.delete(message.id);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<StreamClient> {
    return new StreamClient(await openSocket(url, options));
  }

  call(method: string, params: unknown): Promise<any> {
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.calls.set(id, resolve);
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (err) => err && reject(err));
      this.closed.then(({ code }) => reject(new Error(`closed with ${code} before ${method} was answered`)));
    });
  }

  async newSession(model: string): Promise<{ sessionId: string; token: string }> {
    const reply = await this.call('session/new', { cwd: '/w', mcpServers: [], _meta: { model } });
    if (!reply.result) throw new Error(`session/new failed: ${JSON.stringify(reply.error)}`);
    return { sessionId: reply.result.sessionId, token: reply.result._meta.resume_token };
  }

  prompt(sessionId: string, text = 'go'): Promise<any> {
    return this.call('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
  }

  close(): void {
    this.socket.close();
  }
}
