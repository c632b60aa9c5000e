/** `read_file`: reads a text file through the client (`fs/read_text_file`), so unsaved editor buffers count. */
import { z } from 'zod';
import { Methods, ReadTextFileResponse } from '../../protocol/acp';
import { isLikelySecret } from '../../protocol/toolInput';
import { confinedPath, displayPath, resolvePath, truncateText } from './paths';
import { textContent, toolSpec, type AgentTool } from './types';

const Args = z.object({
  path: z.string().min(1).describe('File path, relative to the workspace root or absolute'),
  line: z.number().int().min(1).optional().describe('First line to read (1-based)'),
  limit: z.number().int().min(1).optional().describe('Most lines to read'),
});
type Args = z.infer<typeof Args>;

/** Most characters of a file shown in the client's tool call view (the model gets `maxResultChars`). */
const DISPLAY_CHARS = 64 * 1024;

// Every tool is one declarative AgentTool of the same shape (kind, args, spec, availability, presentation, run);
// what tools share lives in toolSpec, resolvePath/displayPath, writeTarget and runSearch.
export const readFileTool: AgentTool<Args> = {
  kind: 'read',
  args: Args,
  spec: toolSpec(
    'read_file',
    'Read a text file of the workspace. Paths are relative to the workspace root or absolute. ' +
      'Use line (1-based) and limit to read part of a large file.',
    Args,
  ),
  available: (caps) => caps.fs?.readTextFile === true,
  present(args, { cwd }) {
    const path = resolvePath(cwd, args.path);
    const range = args.line ? ` (from line ${args.line}${args.limit ? `, ${args.limit} lines` : ''})` : '';
    return { title: `Read ${displayPath(cwd, path)}${range}`, locations: [{ path, line: args.line ?? null }], rawInput: args };
  },
  async run(args, ctx) {
    const where = confinedPath(ctx.cwd, args.path);
    if (!where.ok) return { output: `Not read: ${where.reason}.`, failed: true };
    const path = where.path;
    if (isLikelySecret(path)) {
      const decision = await ctx.permissions.ask({
        host: ctx.host,
        sessionId: ctx.sessionId,
        mode: 'default', // a read, allowed in read-only mode too once the user agrees
        kind: 'read',
        toolCall: { toolCallId: ctx.toolCallId, title: `Read ${displayPath(ctx.cwd, path)} (it may hold secrets)`, kind: 'read', locations: [{ path }] },
        signal: ctx.signal,
        rememberAs: `read:${path}`,
      });
      if (!decision.allowed) return { output: `Not read: ${decision.reason}.`, failed: true };
    }
    const raw = await ctx.host.request(Methods.fsRead, { sessionId: ctx.sessionId, path, line: args.line, limit: args.limit }, ctx.signal);
    const parsed = ReadTextFileResponse.safeParse(raw);
    if (!parsed.success) return { output: `Error: the client answered fs/read_text_file for ${path} without text content`, failed: true };
    const text = parsed.data.content;
    return { output: truncateText(text, ctx.limits.maxResultChars), content: [textContent(truncateText(text, DISPLAY_CHARS))] };
  },
};
