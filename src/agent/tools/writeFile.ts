/**
 * `write_file`: proposes new content for a file, shown as a diff, and writes it through the client
 * (`fs/write_text_file`) only after the user allows it.
 */
import { z } from 'zod';
import { Methods, ReadTextFileResponse, type ToolCallContent } from '../../protocol/acp';
import { displayPath, resolvePath } from './paths';
import { toolSpec, type AgentTool, type ToolContext } from './types';

const Args = z.object({
  path: z.string().min(1).describe('File path, relative to the workspace root or absolute'),
  content: z.string().describe('The complete new content of the file'),
});
type Args = z.infer<typeof Args>;

export const writeFileTool: AgentTool<Args> = {
  kind: 'edit',
  args: Args,
  spec: toolSpec(
    'write_file',
    'Create or overwrite a text file of the workspace with the given full content. ' +
      'The user sees a diff and must approve the write.',
    Args,
  ),
  available: (caps) => caps.fs?.writeTextFile === true,
  present(args, { cwd }) {
    const path = resolvePath(cwd, args.path);
    return { title: `Write ${displayPath(cwd, path)}`, locations: [{ path }], rawInput: { path: args.path, characters: args.content.length } };
  },
  async run(args, ctx) {
    const path = resolvePath(ctx.cwd, args.path);
    // Refused up front (read-only, always-reject) without even reading the file for the diff.
    const early = ctx.permissions.deniedWithoutAsking(ctx.mode, 'edit');
    if (early && !early.allowed) return { output: `The write to ${path} was not done: ${early.reason}.`, failed: true };
    const diff: ToolCallContent = { type: 'diff', path, oldText: await currentText(path, ctx), newText: args.content };
    ctx.update({ content: [diff] });
    const decision = await ctx.permissions.ask({
      host: ctx.host,
      sessionId: ctx.sessionId,
      mode: ctx.mode,
      kind: 'edit',
      toolCall: { toolCallId: ctx.toolCallId, title: `Write ${displayPath(ctx.cwd, path)}`, kind: 'edit', locations: [{ path }], content: [diff] },
      signal: ctx.signal,
    });
    if (!decision.allowed) return { output: `The write to ${path} was not done: ${decision.reason}.`, content: [diff], failed: true };
    await ctx.host.request(Methods.fsWrite, { sessionId: ctx.sessionId, path, content: args.content }, ctx.signal);
    return { output: `Wrote ${args.content.length} characters to ${path}.`, content: [diff] };
  },
};

/** The file's current text for the diff; null (a new file) when it cannot be read. */
async function currentText(path: string, ctx: ToolContext): Promise<string | null> {
  const caps = ctx.host.clientCapabilities();
  if (!caps.fs?.readTextFile) return null;
  try {
    const parsed = ReadTextFileResponse.safeParse(await ctx.host.request(Methods.fsRead, { sessionId: ctx.sessionId, path }, ctx.signal));
    return parsed.success ? parsed.data.content : null;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return null;
  }
}
