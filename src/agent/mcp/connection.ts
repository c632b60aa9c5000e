/**
 * One MCP server of a session, through `@modelcontextprotocol/sdk`: started (stdio child in the session's
 * cwd, or a Streamable HTTP / SSE URL) within a start timeout, its tools listed and refreshed when it says
 * they changed, restarted with backoff when it exits, and stopped for good with the session. Failures are
 * plain sentences (they are shown in the chat); the last lines of a stdio server's stderr say why it died.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { Backoff } from '../../client/backoff';
import type { Logger } from '../../util/logger';
import { runInBackground } from '../../util/background';
import type { McpServerConfig } from './config';
import type { McpOptions } from './options';
import { policyFetch } from './policyFetch';
import { loadSdk, type McpClient, type McpSdk, type McpTransport, type StdioTransport } from './sdk';

export type McpState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface McpConnectionEvents {
  /** The tool list changed (started, restarted, refreshed, or emptied by an exit). */
  toolsChanged(): void;
  /** Said once per failure that the user should see: it did not start, or could not be restarted. */
  failed(message: string): void;
}

const MAX_TOOL_PAGES = 20;
const STDERR_KEEP = 2000;

export class McpConnection {
  state: McpState = 'starting';
  tools: Tool[] = [];
  private client: McpClient | undefined;
  /** The running stdio child's transport, for its pid. */
  private stdio: StdioTransport | undefined;
  private stderrTail = '';
  private readonly backoff: Backoff;
  private restartTimer: (() => void) | undefined;
  private upSince = 0;

  constructor(
    readonly config: McpServerConfig,
    private readonly cwd: string,
    private readonly options: McpOptions,
    private readonly log: Logger,
    private readonly events: McpConnectionEvents,
  ) {
    this.backoff = new Backoff(options.restart, options.random);
  }

  get name(): string {
    return this.config.name;
  }

  /** The child's pid while a stdio server runs (tests check that none outlives its session). */
  get pid(): number | undefined {
    return this.stdio?.pid ?? undefined;
  }

  /** Read through a getter: `state` changes while a start is awaited. */
  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** First start: resolves either way; a failure is reported through `events.failed`. */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      if (this.stopped) return;
      this.state = 'failed';
      this.events.failed(`MCP server ${this.name} did not start: ${(err as Error).message}`);
    }
  }

  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const client = this.client;
    if (this.state !== 'ready' || !client) throw new Error(`MCP server ${this.name} is ${this.state === 'restarting' ? 'restarting; try again shortly' : 'not running'}`);
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        signal,
        timeout: this.options.callTimeoutMs,
        resetTimeoutOnProgress: true,
        onprogress: () => undefined,
      });
      return result as CallToolResult;
    } catch (err) {
      if (signal.aborted) throw err;
      if (client !== this.client || this.state !== 'ready') throw new Error(`MCP server ${this.name} stopped during the call${this.stderrHint()}`);
      throw new Error(`MCP server ${this.name}: ${(err as Error).message}`);
    }
  }

  /** Stops for good: no restart; a stdio child gets its stdin closed, then SIGTERM, then SIGKILL. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.restartTimer?.();
    this.restartTimer = undefined;
    await this.closeTransport();
  }

  private async connect(): Promise<void> {
    this.stderrTail = '';
    const sdk = await loadSdk();
    if (this.stopped) throw new Error('stopped');
    const transport = this.createTransport(sdk);
    const client = new sdk.Client(
      { name: 'punie', version: '0.1.0' },
      {
        capabilities: {},
        listChanged: {
          tools: {
            onChanged: (error, tools) => {
              if (client !== this.client) return;
              if (error) this.log.warn(`MCP server ${this.name}: refreshing its tools failed: ${error.message}`);
              else this.setTools(tools ?? []);
            },
          },
        },
      },
    );
    this.client = client;
    const starting = new AbortController();
    const timeout = starting.signal;
    const cancelTimer = this.options.schedule(() => starting.abort(new Error('start timeout')), this.options.startTimeoutMs);
    try {
      // The SDK's own request timeout only backs up the (injectable) start timer.
      await client.connect(transport, { signal: timeout, timeout: this.options.startTimeoutMs + 1000 });
      const tools = await this.listTools(client, timeout);
      if (this.stopped) throw new Error('stopped');
      client.onclose = () => this.exited(client);
      this.upSince = this.options.now();
      this.state = 'ready';
      this.setTools(tools);
      this.log.info(`MCP server ${this.name} started with ${tools.length} tool(s)`);
    } catch (err) {
      // A server that did not start in time gets no graceful exit: it already had its chance.
      if (timeout.aborted && this.pid !== undefined) killQuietly(this.pid);
      await this.closeTransport();
      throw new Error(timeout.aborted ? `it did not answer within ${this.options.startTimeoutMs} ms${this.stderrHint()}` : `${(err as Error).message}${this.stderrHint()}`);
    } finally {
      cancelTimer();
    }
  }

  private async listTools(client: McpClient, signal: AbortSignal): Promise<Tool[]> {
    if (!client.getServerCapabilities()?.tools) return [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await client.listTools(cursor ? { cursor } : undefined, { signal });
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  private createTransport(sdk: McpSdk): McpTransport {
    const config = this.config;
    if (config.transport !== 'stdio') {
      const requestInit = { headers: Object.fromEntries(config.headers.map((h) => [h.name, h.value])) };
      const url = new URL(config.url);
      const fetch = policyFetch(config, this.options.policy);
      return config.transport === 'sse' ? new sdk.SSEClientTransport(url, { requestInit, fetch }) : new sdk.StreamableHTTPClientTransport(url, { requestInit, fetch });
    }
    const transport = new sdk.StdioClientTransport({
      command: config.command,
      args: config.args,
      // The SDK adds only a safe base (PATH, HOME, …) to these: the agent server's own secrets stay out.
      env: Object.fromEntries(config.env.map((e) => [e.name, e.value])),
      cwd: this.cwd,
      stderr: 'pipe',
    });
    this.stdio = transport;
    transport.stderr?.on('data', (data: Buffer) => {
      const text = data.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_KEEP);
      for (const line of text.split('\n')) if (line.trim()) this.log.debug(`MCP server ${this.name} stderr: ${line.slice(0, 500)}`);
    });
    return transport;
  }

  /** The connection ended without `stop`: the server exited or its URL went away. */
  private exited(client: McpClient): void {
    if (client !== this.client || this.state === 'stopped') return;
    this.log.warn(`MCP server ${this.name} exited${this.stderrHint()}`);
    this.client = undefined;
    this.stdio = undefined;
    this.setTools([]);
    if (this.options.now() - this.upSince >= this.options.restart.minUptimeMs) this.backoff.reset();
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.backoff.attempt >= this.options.restart.maxAttempts) {
      this.state = 'failed';
      this.events.failed(`MCP server ${this.name} stopped and could not be restarted${this.stderrHint()}`);
      return;
    }
    this.state = 'restarting';
    this.restartTimer = this.options.schedule(() => {
      this.restartTimer = undefined;
      runInBackground(`restarting MCP server ${this.name}`, this.restart(), this.log);
    }, this.backoff.next());
  }

  private async restart(): Promise<void> {
    if (this.state !== 'restarting') return;
    try {
      await this.connect();
    } catch (err) {
      if (this.stopped) return;
      this.log.warn(`MCP server ${this.name} restart failed: ${(err as Error).message}`);
      this.scheduleRestart();
    }
  }

  private setTools(tools: Tool[]): void {
    this.tools = tools;
    this.events.toolsChanged();
  }

  private async closeTransport(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.stdio = undefined;
    this.tools = [];
    try {
      await client?.close();
    } catch (err) {
      this.log.debug(`MCP server ${this.name}: close failed: ${(err as Error).message}`);
    }
  }

  private stderrHint(): string {
    const last = this.stderrTail.trim().split('\n').at(-1)?.trim();
    return last ? ` (it said: ${last.slice(0, 300)})` : '';
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
