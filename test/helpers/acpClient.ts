/**
 * A test ACP client over a real WebSocket: it initializes with chosen capabilities, creates sessions,
 * prompts, cancels, and answers the agent's requests the way an editor would ({@link EditorSide}).
 */
import { openSocket, type OpenSocket } from '../../src/client/socket';
import type { ClientCapabilities, StopReason } from '../../src/protocol/acp';
import { EditorSide, FULL_CAPABILITIES, type PermissionPolicy } from './editorSide';

export { allowOnce, choose, FULL_CAPABILITIES, waitForCancel, type PermissionPolicy, type PermissionRequest } from './editorSide';

export interface AcpClientOptions {
  capabilities?: ClientCapabilities;
  permission?: PermissionPolicy;
  token?: string;
}

export class TestAcpClient extends EditorSide {
  private constructor(
    private readonly conn: OpenSocket,
    readonly capabilities: ClientCapabilities,
    options: AcpClientOptions,
  ) {
    super(options.permission);
    conn.endpoint.onNotification((method, params) => {
      if (method === 'session/update') this.updates.push(params);
    });
    conn.endpoint.onRequest(({ method, params, signal }) => this.handle(method, params, signal));
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

  async close(): Promise<void> {
    this.killTerminals();
    this.conn.socket.close();
    await new Promise((resolve) => (this.conn.socket.readyState === this.conn.socket.CLOSED ? resolve(null) : this.conn.socket.once('close', resolve)));
  }
}

/** The test ACP clients a suite opens against its current server, closed together after each test. */
export class AcpClients {
  private readonly open: TestAcpClient[] = [];

  constructor(private readonly url: () => string) {}

  async connect(options: AcpClientOptions = {}): Promise<TestAcpClient> {
    const client = await TestAcpClient.connect(this.url(), options);
    this.open.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => c.close()));
  }
}
