/**
 * Drives one connection through bursts of fuzz frames. After each burst it waits for every expected
 * answer, checks that each carries the right error code (and that nothing unasked-for came back), then
 * runs a valid prompt on the same connection, which must end normally.
 */
import WebSocket from 'ws';
import { Rng } from './generate';
import { FrameFactory, type Endpoint, type Expectation } from './frames';

export interface FuzzOptions {
  url: string;
  endpoint: Endpoint;
  frames: number;
  seed: number;
  burst: number;
  /** Longest wait for the answers of one burst. */
  timeoutMs?: number;
}

export interface FuzzReport {
  sent: number;
  byCategory: Record<string, number>;
  prompts: number;
  failures: string[];
}

type Pending = Extract<Expectation, { reply: 'codes' }>;

export async function fuzzEndpoint(options: FuzzOptions): Promise<FuzzReport> {
  const conn = await FuzzConnection.open(options.url);
  const report: FuzzReport = { sent: 0, byCategory: {}, prompts: 0, failures: [] };
  const fail = (message: string) => {
    if (report.failures.length < 50) report.failures.push(message);
  };
  conn.onUnexpected = fail;
  try {
    if (options.endpoint === 'acp') await conn.call('fuzz-init', 'initialize', { protocolVersion: 1 });
    const created = await conn.call('fuzz-session', 'session/new', { cwd: '/fuzz', mcpServers: [] });
    const sessionId = (created.result as { sessionId: string }).sessionId;
    const factory = new FrameFactory(new Rng(options.seed), options.endpoint, () => sessionId);
    for (let burst = 0; report.sent < options.frames && report.failures.length === 0; burst++) {
      const size = Math.min(options.burst, options.frames - report.sent);
      for (let i = 0; i < size; i++) {
        const frame = factory.frame();
        report.byCategory[frame.category] = (report.byCategory[frame.category] ?? 0) + 1;
        conn.expect(frame.expect, frame.category);
        conn.socket.send(frame.data, { binary: frame.binary });
        report.sent++;
      }
      await conn.settle(options.timeoutMs ?? 10_000, fail);
      const check = await conn.call(`check-${burst}`, 'session/prompt', { sessionId, prompt: [{ type: 'text', text: `check ${burst}` }] });
      const stop = (check.result as { stopReason?: string } | undefined)?.stopReason;
      if (stop !== 'end_turn') fail(`burst ${burst}: the check prompt answered ${JSON.stringify(check)}`);
      conn.verifyNullIds(burst, fail);
      report.prompts++;
    }
    if (conn.closed) fail(`the connection closed: ${conn.closed}`);
  } finally {
    conn.socket.close();
  }
  return report;
}

class FuzzConnection {
  private readonly pending = new Map<string | number, Pending & { category: string }>();
  private readonly nullExpected = new Map<number, number>();
  private readonly nullSeen = new Map<number, number>();
  private readonly calls = new Map<string, (message: Record<string, unknown>) => void>();
  private settled: (() => void) | undefined;
  closed: string | undefined;
  onUnexpected: (message: string) => void = () => {};

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(JSON.parse(data.toString()) as Record<string, unknown>));
    socket.on('close', (code, reason) => {
      this.closed = `${code} ${reason.toString()}`;
      this.settled?.();
    });
  }

  static open(url: string): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      socket.once('open', () => resolve(new FuzzConnection(socket)));
      socket.once('error', reject);
    });
  }

  call(id: string, method: string, params: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} ${id}`)), 10_000);
      this.calls.set(id, (m) => (clearTimeout(timer), resolve(m)));
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  expect(expectation: Expectation, category: string): void {
    if (expectation.reply === 'codes') this.pending.set(expectation.id, { ...expectation, category });
    else if (expectation.reply === 'null-id') this.nullExpected.set(expectation.code, (this.nullExpected.get(expectation.code) ?? 0) + 1);
  }

  /** Resolves once every expected answer came, or reports the missing ones after the timeout. */
  settle(timeoutMs: number, fail: (message: string) => void): Promise<void> {
    if (this.pending.size === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        fail(`no answer within ${timeoutMs} ms to ${this.pending.size} request(s), e.g. ${JSON.stringify([...this.pending.values()][0])}`);
        this.pending.clear();
        this.settled = undefined;
        resolve();
      }, timeoutMs);
      this.settled = () => {
        clearTimeout(timer);
        this.settled = undefined;
        resolve();
      };
    });
  }

  /** Every id-null error answered a frame that deserved exactly that error. */
  verifyNullIds(burst: number, fail: (message: string) => void): void {
    for (const code of new Set([...this.nullExpected.keys(), ...this.nullSeen.keys()])) {
      const expected = this.nullExpected.get(code) ?? 0;
      const seen = this.nullSeen.get(code) ?? 0;
      if (expected !== seen) fail(`burst ${burst}: expected ${expected} id-null error(s) ${code}, got ${seen}`);
    }
  }

  private receive(message: Record<string, unknown>): void {
    if (typeof message.method === 'string') return; // updates and agent→client requests are not judged here
    const id = message.id as string | number | null;
    const error = message.error as { code: number; message: string } | undefined;
    if (typeof id === 'string' && this.calls.has(id)) {
      this.calls.get(id)!(message);
      this.calls.delete(id);
      return;
    }
    if (id === null) {
      if (!error) return this.onUnexpected(`a result with id null: ${JSON.stringify(message).slice(0, 200)}`);
      this.nullSeen.set(error.code, (this.nullSeen.get(error.code) ?? 0) + 1);
      return;
    }
    const expected = this.pending.get(id);
    if (!expected) return this.onUnexpected(`an answer nobody asked for: ${JSON.stringify(message).slice(0, 200)}`);
    this.pending.delete(id);
    const ok = error ? expected.codes.includes(error.code) : expected.orResult;
    if (!ok) {
      const got = error ? `error ${error.code} (${error.message.slice(0, 160)})` : 'a result';
      this.onUnexpected(`${expected.category} request ${JSON.stringify(id)}: expected ${expected.codes.join('/') || 'a result'}, got ${got}`);
    }
    if (this.pending.size === 0) this.settled?.();
  }
}
