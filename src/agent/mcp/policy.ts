/**
 * Which MCP servers a client may ask the agent server to start or call. An MCP server of a session runs on
 * the agent server's machine (stdio: a child process with the client's command line; http/sse: a URL the
 * server calls), so a remote `punie serve` allows none unless its operator says so with `--allow-mcp`:
 * `stdio`, `http`, `sse`, `all`, `none`, or a pattern `stdio:<command>` / `http:<url>` / `sse:<url>` in
 * which `*` matches any characters (e.g. `http:https://mcp.example.com/*`, `stdio:/usr/local/bin/*`).
 */
import type { McpServerConfig } from './config';

export type McpTransportKind = McpServerConfig['transport'];

const KINDS: readonly McpTransportKind[] = ['stdio', 'http', 'sse'];

interface Rule {
  kind: McpTransportKind;
  /** Matches the stdio command or the URL; absent: any. */
  pattern?: RegExp;
}

export class McpPolicy {
  private constructor(private readonly rules: readonly Rule[]) {}

  static readonly none = new McpPolicy([]);
  static readonly all = new McpPolicy(KINDS.map((kind) => ({ kind })));

  /** Parses `--allow-mcp` values (each may hold several, comma-separated); throws with a usage message. */
  static parse(values: readonly string[]): McpPolicy {
    const rules: Rule[] = [];
    for (const item of values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
      if (item === 'none') continue;
      if (item === 'all') rules.push(...KINDS.map((kind) => ({ kind })));
      else if ((KINDS as readonly string[]).includes(item)) rules.push({ kind: item as McpTransportKind });
      else {
        const colon = item.indexOf(':');
        const kind = item.slice(0, colon) as McpTransportKind;
        if (colon <= 0 || !KINDS.includes(kind) || colon === item.length - 1) {
          throw new Error(`--allow-mcp: "${item}" is not stdio, http, sse, all, none or <stdio|http|sse>:<pattern>`);
        }
        rules.push({ kind, pattern: globToRegExp(item.slice(colon + 1)) });
      }
    }
    return new McpPolicy(rules);
  }

  /** Whether some server of this transport may be allowed (what `initialize` advertises). */
  allowsKind(kind: McpTransportKind): boolean {
    return this.rules.some((r) => r.kind === kind);
  }

  allows(config: McpServerConfig): boolean {
    const target = config.transport === 'stdio' ? config.command : config.url;
    return this.rules.some((r) => r.kind === config.transport && (!r.pattern || r.pattern.test(target)));
  }
}

function globToRegExp(glob: string): RegExp {
  const source = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`);
}
