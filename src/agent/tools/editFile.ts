/**
 * `edit_file`: targeted changes to an existing file — exact old text → new text, several in one call —
 * proposed as a diff and written only after the user allows it. Cheaper and safer than rewriting a whole
 * file with `write_file`: the model sends only what changes, and an edit that does not match is refused
 * with the reason instead of silently clobbering the file.
 */
import { z } from 'zod';
import { applyTextEdits, describeEdits } from './editText';
import { displayPath, resolvePath } from './paths';
import { proposeWrite, writeTarget } from './proposeWrite';
import { toolSpec, type AgentTool } from './types';

const Edit = z.object({
  old_text: z.string().describe('Exact text to replace, unique in the file'),
  new_text: z.string().describe('The text to put in its place'),
});
const Args = z.object({
  path: z.string().min(1).describe('File path, relative to the workspace root or absolute'),
  edits: z.array(Edit).min(1).max(100).describe('The replacements, applied together to the current file'),
});
type Args = z.infer<typeof Args>;

// Every tool is one declarative AgentTool of the same shape (kind, args, spec, availability, presentation, run);
// what tools share lives in toolSpec, resolvePath/displayPath, writeTarget and runSearch.
export const editFileTool: AgentTool<Args> = {
  kind: 'edit',
  args: Args,
  spec: toolSpec(
    'edit_file',
    'Change parts of an existing text file: each edit replaces old_text, which must occur exactly once in the file ' +
      '(copy it exactly, with indentation, and include enough lines to make it unique), by new_text. ' +
      'Several edits may be given in one call; they must not overlap. The user sees a diff and must approve it.',
    Args,
  ),
  available: (caps) => caps.fs?.writeTextFile === true && caps.fs.readTextFile === true,
  present(args, { cwd }) {
    const path = resolvePath(cwd, args.path);
    return { title: `Edit ${displayPath(cwd, path)}`, locations: [{ path }], rawInput: { path: args.path, edits: args.edits.length } };
  },
  async run(args, ctx) {
    const target = await writeTarget(ctx, args.path, 'edit');
    if (target.refused) return target.refused;
    const { path, oldText } = target;
    if (oldText === null) return { output: `Error: ${path} could not be read (does it exist?). Use write_file to create a new file.`, failed: true };
    const result = applyTextEdits(oldText, args.edits.map((e) => ({ oldText: e.old_text, newText: e.new_text })));
    if (!result.ok) return { output: `Error: the edit of ${path} was not done: ${result.error}.`, failed: true };
    if (result.text === oldText) return { output: `No change: the edits leave ${path} as it is.` };
    return proposeWrite({ path, oldText, newText: result.text, title: `Edit ${displayPath(ctx.cwd, path)}`, done: describeEdits(path, result.applied) }, ctx);
  },
};
