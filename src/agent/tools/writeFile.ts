/**
 * `write_file`: proposes the whole content of a (usually new) file, shown as a diff, and writes it through
 * the client (`fs/write_text_file`) only after the user allows it; targeted changes are `edit_file`'s.
 */
import { z } from 'zod';
import { displayPath, resolvePath } from './paths';
import { proposeWrite, writeTarget } from './proposeWrite';
import { toolSpec, type AgentTool } from './types';

const Args = z.object({
  path: z.string().min(1).describe('File path, relative to the workspace root or absolute'),
  content: z.string().describe('The complete new content of the file'),
});
type Args = z.infer<typeof Args>;

// Every tool is one declarative AgentTool of the same shape (kind, args, spec, availability, presentation, run);
// what tools share lives in toolSpec, resolvePath/displayPath, writeTarget and runSearch.
export const writeFileTool: AgentTool<Args> = {
  kind: 'edit',
  args: Args,
  spec: toolSpec(
    'write_file',
    'Create a new text file of the workspace with the given full content (or replace a file completely). ' +
      'To change part of an existing file use edit_file instead. The user sees a diff and must approve the write.',
    Args,
  ),
  available: (caps) => caps.fs?.writeTextFile === true,
  present(args, { cwd }) {
    const path = resolvePath(cwd, args.path);
    return { title: `Write ${displayPath(cwd, path)}`, locations: [{ path }], rawInput: { path: args.path, characters: args.content.length } };
  },
  async run(args, ctx) {
    const target = await writeTarget(ctx, args.path, 'write');
    if (target.refused) return target.refused;
    const { path, oldText } = target;
    return proposeWrite({ path, oldText, newText: args.content, title: `Write ${displayPath(ctx.cwd, path)}`, done: `Wrote ${args.content.length} characters to ${path}${oldText === null ? ' (a new file)' : ''}.` }, ctx);
  },
};
