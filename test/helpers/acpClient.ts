/**
 * A test ACP client over a real WebSocket: it initializes with chosen capabilities, creates sessions,
 * prompts, cancels, and answers the agent's requests the way an editor would — files in a real directory
 * (fs/read_text_file with line/limit, fs/write_text_file), commands as real child processes (terminal/*),
 * and permission requests through a policy the test picks. Everything it receives is recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openSocket, type OpenSocket } from '../../src/client/socket';
import type { ClientCapabilities, PermissionOption, StopReason } from '../../src/protocol/acp';
import { ErrorCodes, RpcError } from '../../src/protocol/jsonrpc';
import type { IncomingRequest } from '../../src/transport/endpoint';

export const FULL_CAPABILITIES: ClientCapabilities = { fs: { readTextFile: true, writeTextFile: true }, terminal: true };

export interface PermissionRequest {
  sessionId: string;
  toolCall: { toolCallId: string; title?: string; kind?: string; content?: any[] };
  options: PermissionOption[];
}

/** Picks an option id (or `cancelled`) for a permission request; may wait (the signal aborts on cancel). */
export type PermissionPolicy = (request: PermissionRequest, signal: AbortSignal) => Promise<string | 'cancelled'> | string | 'cancelled';

export const allowOnce: PermissionPolicy = (r) => r.options.find((o) => o.kind === 'allow_once')!.optionId;
export const choose = (kind: PermissionOption['kind']): PermissionPolicy => (r) => r.options.find((o) => o.kind === kind)!.optionId;
/** Never answers until the agent withdraws the request (cancel), then answers `cancelled` as ACP requires. */
export const waitForCancel: PermissionPolicy = (_r, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('cancelled'), { once: true }));

interface Terminal {
  process: ChildProcess;
  output: string;
  truncated: boolean;
  limit: number;
  exit: Promise<{ exitCode: number | null; signal: string | null }>;
  exited?: { exitCode: number | null; signal: string | null };
}

export interface AcpClientOptions {
  capabilities?: ClientCapabilities;
  permission?: PermissionPolicy;
  token?: string;
}

export class TestAcpClient {
  /** Every `session/update` params, in arrival order. */
  readonly updates: any[] = [];
  /** Every agent→client request: method, params, and whether it was withdrawn with $/cancel_request. */
  readonly requests: { method: string; params: any; cancelled: boolean }[] = [];
  readonly terminals = new Map<string, Terminal>();
  permission: PermissionPolicy;
  private nextTerminal = 0;
  private waiters: { match: (r: { method: string; params: any }) => boolean; resolve: () => void }[] = [];

  private constructor(
    private readonly conn: OpenSocket,
    readonly capabilities: ClientCapabilities,
    options: AcpClientOptions,
  ) {
    this.permission = options.permission ?? allowOnce;
    conn.endpoint.onNotification((method, params) => {
      if (method === 'session/update') this.updates.push(params);
    });
    conn.endpoint.onRequest((request) => this.handle(request));
  }

  static async connect(url: string, options: AcpClientOptions = {}): Promise<TestAcpClient> {
    const conn = await openSocket(url, { connectTimeoutMs: 5000, token: options.token });
    const client = new TestAcpClient(conn, options.capabilities ?? FULL_CAPABILITIES, options);
    await client.call('initialize', { protocolVersion: 1, clientCapabilities: client.capabilities, clientInfo: { name: 'test-acp-client', version: '0.0.0' } });
    return client;
  }

  call<T = any>(method: string, params: unknown): Promise<T> {
    return this.conn.endpoint.request<T>(method, params);
  }

  async newSession(cwd: string, model?: string): Promise<string> {
    const result = await this.call('session/new', { cwd, mcpServers: [], ...(model ? { _meta: { model } } : {}) });
    return result.sessionId;
  }

  async prompt(sessionId: string, text: string): Promise<StopReason> {
    const result = await this.call('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
    return result.stopReason;
  }

  cancel(sessionId: string): Promise<void> {
    return this.conn.endpoint.notify('session/cancel', { sessionId });
  }

  /** Resolves once the agent has sent a request matching `method` (and `match`). */
  waitForRequest(method: string, match: (params: any) => boolean = () => true): Promise<void> {
    if (this.requests.some((r) => r.method === method && match(r.params))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match: (r) => r.method === method && match(r.params), resolve }));
  }

  sessionUpdates(sessionId: string): any[] {
    return this.updates.filter((u) => u.sessionId === sessionId).map((u) => u.update);
  }

  /** Each tool call's final state: the `tool_call` with its updates applied, in order of appearance. */
  toolCalls(sessionId: string): any[] {
    const calls = new Map<string, any>();
    for (const u of this.sessionUpdates(sessionId)) {
      if (u.sessionUpdate === 'tool_call') calls.set(u.toolCallId, { ...u, statuses: [u.status] });
      if (u.sessionUpdate === 'tool_call_update') {
        const call = calls.get(u.toolCallId);
        if (u.status) call.statuses.push(u.status);
        Object.assign(call, Object.fromEntries(Object.entries(u).filter(([k, v]) => k !== 'sessionUpdate' && v !== undefined)));
      }
    }
    return [...calls.values()];
  }

  agentText(sessionId: string): string {
    return this.sessionUpdates(sessionId)
      .filter((u) => u.sessionUpdate === 'agent_message_chunk')
      .map((u) => u.content.text)
      .join('');
  }

  async close(): Promise<void> {
    for (const t of this.terminals.values()) killGroup(t, 'SIGKILL');
    this.conn.socket.close();
    await new Promise((resolve) => (this.conn.socket.readyState === this.conn.socket.CLOSED ? resolve(null) : this.conn.socket.once('close', resolve)));
  }

  private async handle({ method, params, signal }: IncomingRequest): Promise<unknown> {
    const record = { method, params: params as any, cancelled: false };
    this.requests.push(record);
    signal.addEventListener('abort', () => (record.cancelled = true), { once: true });
    this.waiters = this.waiters.filter((w) => (w.match(record) ? (w.resolve(), false) : true));
    const p = params as any;
    switch (method) {
      case 'session/request_permission': {
        const choice = await this.permission(p, signal);
        return { outcome: choice === 'cancelled' ? { outcome: 'cancelled' } : { outcome: 'selected', optionId: choice } };
      }
      case 'fs/read_text_file':
        return { content: await this.read(p.path, p.line, p.limit) };
      case 'fs/write_text_file':
        await mkdir(dirname(p.path), { recursive: true });
        await writeFile(p.path, p.content);
        return null;
      case 'terminal/create':
        return { terminalId: this.createTerminal(p) };
      case 'terminal/output': {
        const t = this.terminal(p.terminalId);
        return { output: t.output, truncated: t.truncated, ...(t.exited ? { exitStatus: t.exited } : {}) };
      }
      case 'terminal/wait_for_exit': {
        const t = this.terminal(p.terminalId);
        const cancelled = new Promise<never>((_r, reject) => signal.addEventListener('abort', () => reject(new RpcError(ErrorCodes.RequestCancelled, 'cancelled')), { once: true }));
        return await Promise.race([t.exit, cancelled]);
      }
      case 'terminal/kill':
        killGroup(this.terminal(p.terminalId), 'SIGTERM');
        return null;
      case 'terminal/release': {
        const t = this.terminal(p.terminalId);
        killGroup(t, 'SIGKILL');
        this.terminals.delete(p.terminalId);
        return null;
      }
      default:
        throw new RpcError(ErrorCodes.MethodNotFound, `Method not found: ${method}`);
    }
  }

  private async read(path: string, line?: number, limit?: number): Promise<string> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new RpcError(ErrorCodes.ResourceNotFound, `File not found: ${path}`);
    }
    if (!line && !limit) return text;
    const lines = text.split('\n');
    const start = (line ?? 1) - 1;
    return lines.slice(start, limit ? start + limit : undefined).join('\n');
  }

  private createTerminal(p: { command: string; args?: string[]; cwd?: string; outputByteLimit?: number }): string {
    const id = `term-${++this.nextTerminal}`;
    // Its own process group, so a kill reaches what a shell started too.
    const child = spawn(p.command, p.args ?? [], { cwd: p.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const terminal: Terminal = {
      process: child,
      output: '',
      truncated: false,
      limit: p.outputByteLimit ?? 1 << 20,
      exit: new Promise((resolve) => {
        child.on('error', (err) => {
          terminal.output += String(err.message);
          terminal.exited = { exitCode: 127, signal: null };
          resolve(terminal.exited);
        });
        child.on('close', (exitCode, signal) => {
          terminal.exited ??= { exitCode, signal };
          resolve(terminal.exited);
        });
      }),
    };
    const onData = (data: Buffer) => {
      terminal.output += data.toString('utf8');
      const bytes = Buffer.byteLength(terminal.output);
      if (bytes > terminal.limit) {
        terminal.output = Buffer.from(terminal.output).subarray(bytes - terminal.limit).toString('utf8');
        terminal.truncated = true;
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.terminals.set(id, terminal);
    return id;
  }

  private terminal(id: string): Terminal {
    const t = this.terminals.get(id);
    if (!t) throw new RpcError(ErrorCodes.ResourceNotFound, `Unknown terminal ${id}`);
    return t;
  }
}

function killGroup(t: Terminal, signal: NodeJS.Signals): void {
  if (t.exited || t.process.pid === undefined) return;
  try {
    process.kill(-t.process.pid, signal);
  } catch {
    t.process.kill(signal);
  }
}
