/**
 * The MCP servers of one session. `configure` (from `session/new`, `session/load`, `session/resume`) starts
 * the servers it names, all at once, keeps those already running and stops those no longer named; servers
 * the policy forbids are not started. What the user must hear (a server that did not start or was given up)
 * waits in `takeNotices` for the next prompt, which first waits for the starts still under way.
 */
import type { Logger } from '../../util/logger';
import { runInBackground } from '../../util/background';
import type { AgentTool } from '../tools/types';
import { configIdentity, normalizeConfig, type AcpMcpServer, type McpServerConfig } from './config';
import { McpConnection } from './connection';
import type { McpOptions } from './options';
import { mcpTool } from './tools';

interface Entry {
  identity: string;
  connection: McpConnection;
  started: Promise<void>;
}

export class McpServers {
  private readonly entries = new Map<string, Entry>();
  private notices: string[] = [];
  private cachedTools: AgentTool<never>[] | undefined = [];
  private closed = false;

  constructor(
    private readonly cwd: string,
    private readonly options: McpOptions,
    private readonly log: Logger,
  ) {}

  configure(servers: readonly AcpMcpServer[]): void {
    if (this.closed) return;
    const wanted = new Map<string, McpServerConfig>();
    for (const config of servers.map(normalizeConfig)) {
      if (wanted.has(config.name)) this.notices.push(`MCP server ${config.name} is listed more than once; the first one is used.`);
      else if (!this.options.policy.allows(config)) {
        this.notices.push(`MCP server ${config.name} was not started: this Punie server does not allow clients to start it (its operator can allow it with punie serve --allow-mcp).`);
      } else wanted.set(config.name, config);
    }
    for (const [name, entry] of [...this.entries]) {
      if (wanted.get(name) && configIdentity(wanted.get(name)!) === entry.identity) continue;
      this.entries.delete(name);
      runInBackground(`stopping MCP server ${name}`, entry.connection.stop(), this.log);
    }
    for (const [name, config] of wanted) {
      if (this.entries.has(name)) continue;
      const connection = new McpConnection(config, this.cwd, this.options, this.log, {
        toolsChanged: () => (this.cachedTools = undefined),
        failed: (message) => this.notices.push(message),
      });
      this.entries.set(name, { identity: configIdentity(config), connection, started: connection.start() });
    }
    this.cachedTools = undefined;
  }

  /** Waits for the first start of every server (each bounded by the start timeout), or until `signal` aborts. */
  async ready(signal: AbortSignal): Promise<void> {
    const starts = Promise.all([...this.entries.values()].map((e) => e.started));
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done);
      starts.then(done, done);
    });
  }

  /** Messages for the chat, each given once. */
  takeNotices(): string[] {
    const notices = this.notices;
    this.notices = [];
    return notices;
  }

  /** The running servers' tools, as agent tools (rebuilt only after a change). */
  tools(): readonly AgentTool<never>[] {
    if (this.cachedTools) return this.cachedTools;
    const all = [...this.entries.values()].flatMap(({ connection }) =>
      connection.state === 'ready' ? connection.tools.map((tool) => mcpTool(connection, tool) as AgentTool<never>) : [],
    );
    // Names are cleaned for the model, so two servers can clash: the first keeps the name.
    this.cachedTools = all.filter((tool, i) => all.findIndex((t) => t.spec.name === tool.spec.name) === i);
    return this.cachedTools;
  }

  /** Stdio children of the running servers (for tests and logs). */
  pids(): number[] {
    return [...this.entries.values()].flatMap((e) => (e.connection.pid === undefined ? [] : [e.connection.pid]));
  }

  /** Stops every server for good (session closed, deleted, expired, or the server shutting down). */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.cachedTools = [];
    await Promise.all(entries.map((e) => e.connection.stop()));
  }
}
