/**
 * An MCP server's tool as one of the agent's tools: named `server__tool`, with the server's JSON schema and
 * description, kind `read` when the server marks it read-only (else `other`), asked for like any action
 * (read-only mode refuses the others), and its text, image and resource results shown in the chat.
 */
import { z } from 'zod';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ContentBlock, ToolKind } from '../../protocol/acp';
import { READ_ONLY_MODE } from '../tools/permission';
import { textContent, type AgentTool, type ToolResult } from '../tools/types';
import { toolName } from './config';
import type { McpConnection } from './connection';

const Args = z.record(z.string(), z.unknown());
type Args = z.infer<typeof Args>;

const MAX_DESCRIPTION = 2000;

export function mcpTool(connection: McpConnection, tool: Tool): AgentTool<Args> {
  const name = toolName(connection.name, tool.name);
  const kind: ToolKind = tool.annotations?.readOnlyHint === true ? 'read' : 'other';
  const label = tool.annotations?.title ?? tool.title ?? tool.name;
  const title = `${label} (MCP server ${connection.name})`;
  return {
    kind,
    args: Args,
    spec: {
      name,
      description: (tool.description ?? label).slice(0, MAX_DESCRIPTION),
      // `$schema` is the server's business; some model APIs reject the key.
      parameters: { ...Object.fromEntries(Object.entries(tool.inputSchema).filter(([key]) => key !== '$schema')), type: 'object' },
    },
    available: () => true,
    present: (args) => ({ title, rawInput: args }),
    async run(args, ctx): Promise<ToolResult> {
      if (ctx.mode === READ_ONLY_MODE && kind !== 'read') {
        return { output: `${name} was not run: the session is in read-only mode and this tool is not marked read-only.`, failed: true };
      }
      const decision = await ctx.permissions.ask({
        host: ctx.host,
        sessionId: ctx.sessionId,
        mode: ctx.mode,
        kind,
        scope: { key: `mcp:${name}`, label: `${label} of MCP server ${connection.name}` },
        toolCall: { toolCallId: ctx.toolCallId, title, kind, rawInput: args },
        signal: ctx.signal,
      });
      if (!decision.allowed) return { output: `${name} was not run: ${decision.reason}.`, failed: true };
      const result = await connection.callTool(tool.name, args, ctx.signal);
      return toolResult(result, ctx.limits.maxResultChars);
    },
  };
}

/** What the model reads (text, capped) and what the chat shows (the blocks themselves). */
export function toolResult(result: CallToolResult, maxChars: number): ToolResult {
  const shown: ContentBlock[] = [];
  const said: string[] = [];
  for (const item of result.content ?? []) {
    if (item.type === 'text') {
      shown.push({ type: 'text', text: item.text });
      said.push(item.text);
    } else if (item.type === 'image' || item.type === 'audio') {
      shown.push({ type: item.type, data: item.data, mimeType: item.mimeType });
      said.push(`[${item.type} ${item.mimeType}, shown to the user]`);
    } else if (item.type === 'resource_link') {
      shown.push({ type: 'resource_link', uri: item.uri, name: item.name, mimeType: item.mimeType ?? null });
      said.push(`[resource ${item.uri}]`);
    } else if (item.type === 'resource') {
      const r = item.resource;
      if ('text' in r && typeof r.text === 'string') {
        shown.push({ type: 'resource', resource: { uri: r.uri, text: r.text, mimeType: r.mimeType ?? null } });
        said.push(r.text);
      } else said.push(`[binary resource ${r.uri}]`);
    }
  }
  if (said.length === 0 && result.structuredContent !== undefined) said.push(JSON.stringify(result.structuredContent));
  let output = said.join('\n') || '(no output)';
  if (output.length > maxChars) output = `${output.slice(0, maxChars)}\n[… cut at ${maxChars} characters]`;
  if (result.isError) output = `Error: ${output}`;
  const content = shown.length ? shown.map((block) => ({ type: 'content' as const, content: block })) : [textContent(output)];
  return { output, content, failed: result.isError === true };
}
