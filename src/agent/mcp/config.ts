/** An MCP server as a client names it in `session/new` (ACP's shape), normalised, and what follows from it. */
import type { z } from 'zod';
import type { McpServer } from '../../protocol/acp';

export type AcpMcpServer = z.infer<typeof McpServer>;

type NameValue = { name: string; value: string };

export type McpServerConfig =
  | { transport: 'stdio'; name: string; command: string; args: string[]; env: NameValue[] }
  | { transport: 'http' | 'sse'; name: string; url: string; headers: NameValue[] };

/** ACP tells stdio servers by the absence of `type`; the fields were validated by the protocol schema. */
export function normalizeConfig(server: AcpMcpServer): McpServerConfig {
  if (server.type === 'http' || server.type === 'sse') {
    const s = server as { name: string; url: string; headers: NameValue[] };
    return { transport: server.type, name: s.name, url: s.url, headers: s.headers };
  }
  const s = server as { name: string; command: string; args: string[]; env: NameValue[] };
  return { transport: 'stdio', name: s.name, command: s.command, args: s.args, env: s.env };
}

/** Two configs with the same identity are the same server (a reload that repeats it keeps it running). */
export function configIdentity(config: McpServerConfig): string {
  return JSON.stringify(config);
}

/** Model tool names allow `[A-Za-z0-9_-]` and at most 64 characters (OpenAI's rule, the strictest). */
export function toolName(server: string, tool: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${clean(server)}__${clean(tool)}`.slice(0, 64);
}
