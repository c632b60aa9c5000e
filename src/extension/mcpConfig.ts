/**
 * The MCP servers a new session gets, from their sources in order: `punie.mcpServers` (ACP's shape), the
 * user's own VS Code MCP configuration, and a workspace's `.vscode/mcp.json` (both in VS Code's shape:
 * `{ "servers": { name: { command, args, env } | { type: "http" | "sse", url, headers } } }`). Entries that
 * do not fit, or that use `${input:…}` (which only VS Code can ask for), are skipped with a reason; the first
 * server of a name wins. Plain code, no vscode.
 */
import { parse, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { McpServer } from '../protocol/acp';

export type AcpMcpServer = z.infer<typeof McpServer>;

export interface McpServerList {
  servers: AcpMcpServer[];
  /** Why an entry was left out, for the log. */
  skipped: string[];
}

const StringMap = z.record(z.string(), z.string());
const VsCodeServer = z.union([
  z.looseObject({ type: z.enum(['http', 'sse']), url: z.string().min(1), headers: StringMap.optional() }),
  z.looseObject({ type: z.literal('stdio').optional(), command: z.string().min(1), args: z.array(z.string()).optional(), env: z.record(z.string(), z.string().nullable()).optional() }),
]);
const VsCodeMcpFile = z.looseObject({ servers: z.record(z.string(), z.unknown()).optional() });

/** `punie.mcpServers`: an array of ACP `McpServer`s. */
export function fromSetting(value: unknown): McpServerList {
  if (value === undefined || value === null) return { servers: [], skipped: [] };
  if (!Array.isArray(value)) return { servers: [], skipped: ['punie.mcpServers is not a list'] };
  const servers: AcpMcpServer[] = [];
  const skipped: string[] = [];
  value.forEach((entry, i) => {
    const parsed = McpServer.safeParse(entry);
    if (parsed.success) servers.push(parsed.data);
    else skipped.push(`punie.mcpServers[${i}]: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  });
  return { servers, skipped };
}

/** A VS Code `mcp.json` text (JSON with comments), or the `servers` object of the `mcp` setting. */
export function fromVsCodeConfig(source: string, input: string | Record<string, unknown>, vars: { workspaceFolder?: string }): McpServerList {
  let json: unknown = input;
  if (typeof input === 'string') {
    const errors: ParseError[] = [];
    json = parse(input, errors, { allowTrailingComma: true });
    if (errors.length) return { servers: [], skipped: [`${source} is not valid JSON`] };
  }
  const file = VsCodeMcpFile.safeParse(json);
  if (!file.success) return { servers: [], skipped: [`${source} has no "servers" object`] };
  const servers: AcpMcpServer[] = [];
  const skipped: string[] = [];
  for (const [name, raw] of Object.entries(file.data.servers ?? {})) {
    const parsed = VsCodeServer.safeParse(raw);
    if (!parsed.success) {
      skipped.push(`${source}: server ${name} is neither a command nor an http/sse URL`);
      continue;
    }
    const resolved = substitute(parsed.data, vars);
    if (resolved === undefined) {
      skipped.push(`${source}: server ${name} uses a variable only VS Code can fill in`);
      continue;
    }
    servers.push(toAcp(name, resolved as z.infer<typeof VsCodeServer>));
  }
  return { servers, skipped };
}

/** Sources in order of precedence; a later server with an earlier one's name is skipped. */
export function mergeServerLists(lists: McpServerList[]): McpServerList {
  const servers: AcpMcpServer[] = [];
  const skipped = lists.flatMap((l) => l.skipped);
  for (const server of lists.flatMap((l) => l.servers)) {
    if (servers.some((s) => s.name === server.name)) skipped.push(`MCP server ${server.name} is defined more than once; the first definition is used`);
    else servers.push(server);
  }
  return { servers, skipped };
}

function toAcp(name: string, server: z.infer<typeof VsCodeServer>): AcpMcpServer {
  const pairs = (map: Record<string, string | null> | undefined) =>
    Object.entries(map ?? {}).flatMap(([key, value]) => (value === null ? [] : [{ name: key, value }]));
  if ('url' in server && (server.type === 'http' || server.type === 'sse')) {
    return { type: server.type, name, url: server.url as string, headers: pairs(server.headers as Record<string, string> | undefined) };
  }
  const stdio = server as { command: string; args?: string[]; env?: Record<string, string | null> };
  return { name, command: stdio.command, args: stdio.args ?? [], env: pairs(stdio.env) };
}

/** Fills `${workspaceFolder}`, `${userHome}` and `${env:NAME}`; any other `${…}` makes the entry unusable. */
function substitute(value: unknown, vars: { workspaceFolder?: string }): unknown {
  if (typeof value === 'string') {
    let unknown = false;
    const out = value.replace(/\$\{([^}]*)\}/g, (_all, name: string) => {
      if (name === 'workspaceFolder' && vars.workspaceFolder !== undefined) return vars.workspaceFolder;
      if (name === 'userHome') return process.env.HOME ?? process.env.USERPROFILE ?? '';
      if (name.startsWith('env:')) return process.env[name.slice(4)] ?? '';
      unknown = true;
      return '';
    });
    return unknown ? undefined : out;
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => substitute(v, vars));
    return items.includes(undefined) ? undefined : items;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, substitute(v, vars)] as const);
    return entries.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(entries);
  }
  return value;
}

/** What the user is asked to confirm for a workspace file: each server's command line or URL. */
export function describeServers(servers: readonly AcpMcpServer[]): string {
  return servers
    .map((s) => ('url' in s && typeof s.url === 'string' ? `${s.name}: ${s.url}` : `${s.name}: ${[s.command, ...((s.args as string[] | undefined) ?? [])].join(' ')}`))
    .join('\n');
}
