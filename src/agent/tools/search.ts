/**
 * `list_files` and `search_text`: ACP has no directory listing, so these run fixed, read-only programs in a
 * client terminal (`find`/`grep`, or `where`/`findstr` for a Windows workspace). Their arguments are
 * passed without a shell, so nothing the model writes becomes a shell command. They ask permission with
 * kind `search` and the exact command, which a client recognises and may allow without a prompt.
 */
import { z } from 'zod';
import { confinedPath, displayPath, isWindowsPath, resolvePath, truncateText } from './paths';
import { runInTerminal, type CommandLine } from './terminal';
import { textContent, toolSpec, type AgentTool, type ToolContext, type ToolResult } from './types';

const SKIPPED_DIRS = ['.git', 'node_modules'];

const ListArgs = z.object({
  path: z.string().min(1).optional().describe('Directory, relative to the workspace root (default: the root)'),
  glob: z.string().min(1).optional().describe('File name pattern, e.g. *.ts'),
  depth: z.number().int().min(1).max(20).optional().describe('How deep to descend (default 3)'),
});
type ListArgs = z.infer<typeof ListArgs>;

export function listCommand(args: ListArgs, cwd: string): CommandLine {
  const dir = resolvePath(cwd, args.path ?? '.');
  if (isWindowsPath(cwd)) return { command: 'where', args: ['/r', dir, args.glob ?? '*'], cwd };
  const prune = SKIPPED_DIRS.flatMap((d, i) => (i === 0 ? ['-name', d] : ['-o', '-name', d]));
  const name = args.glob ? ['-name', args.glob] : [];
  return { command: 'find', args: [dir, '-maxdepth', String(args.depth ?? 3), '(', ...prune, ')', '-prune', '-o', '-type', 'f', ...name, '-print'], cwd };
}

// Every tool is one declarative AgentTool of the same shape (kind, args, spec, availability, presentation, run);
// what tools share lives in toolSpec, resolvePath/displayPath, writeTarget and runSearch.
export const listFilesTool: AgentTool<ListArgs> = {
  kind: 'search',
  args: ListArgs,
  spec: toolSpec(
    'list_files',
    'List the files under a directory of the workspace (skipping .git and node_modules), optionally matching a file name glob.',
    ListArgs,
  ),
  available: (caps) => caps.terminal === true,
  present(args, { cwd }) {
    const dir = resolvePath(cwd, args.path ?? '.');
    return { title: `List files in ${displayPath(cwd, dir) || '.'}${args.glob ? ` matching ${args.glob}` : ''}`, locations: [{ path: dir }], rawInput: args };
  },
  run: (args, ctx) => runSearch(args.path, listCommand(args, ctx.cwd), ctx, 'no files found'),
};

const SearchArgs = z.object({
  pattern: z.string().min(1).describe('Extended regular expression'),
  path: z.string().min(1).optional().describe('Directory or file, relative to the workspace root (default: the root)'),
  glob: z.string().min(1).optional().describe('Only files whose name matches, e.g. *.py'),
});
type SearchArgs = z.infer<typeof SearchArgs>;

export function searchCommand(args: SearchArgs, cwd: string): CommandLine {
  const dir = resolvePath(cwd, args.path ?? '.');
  if (isWindowsPath(cwd)) return { command: 'findstr', args: ['/s', '/n', '/r', `/c:${args.pattern}`, `${dir}\\${args.glob ?? '*'}`], cwd };
  const include = args.glob ? [`--include=${args.glob}`] : [];
  return { command: 'grep', args: ['-rnIE', ...SKIPPED_DIRS.map((d) => `--exclude-dir=${d}`), ...include, '-e', args.pattern, '--', dir], cwd };
}

// The same AgentTool shape as list_files above: the two differ in their command and presentation only.
export const searchTextTool: AgentTool<SearchArgs> = {
  kind: 'search',
  args: SearchArgs,
  spec: toolSpec(
    'search_text',
    'Search the files of the workspace for a regular expression; answers file:line:text for each match.',
    SearchArgs,
  ),
  available: (caps) => caps.terminal === true,
  present(args, { cwd }) {
    const dir = resolvePath(cwd, args.path ?? '.');
    return { title: `Search for /${args.pattern}/ in ${displayPath(cwd, dir) || '.'}`, locations: [{ path: dir }], rawInput: args };
  },
  run: (args, ctx) => runSearch(args.path, searchCommand(args, ctx.cwd), ctx, 'no matches'),
};

/** grep/findstr exit 1 when nothing matched: an answer, not a failure. */
async function runSearch(path: string | undefined, line: CommandLine, ctx: ToolContext, empty: string): Promise<ToolResult> {
  const where = confinedPath(ctx.cwd, path ?? '.');
  if (!where.ok) return { output: `Not searched: ${where.reason}.`, failed: true };
  const decision = await ctx.permissions.ask({
    host: ctx.host,
    sessionId: ctx.sessionId,
    mode: 'default', // searches only read, so read-only mode allows them
    kind: 'search',
    toolCall: { toolCallId: ctx.toolCallId, title: `Search with \`${line.command}\``, kind: 'search', locations: [{ path: where.path }], rawInput: line },
    signal: ctx.signal,
  });
  if (!decision.allowed) return { output: `Not searched: ${decision.reason}.`, failed: true };
  const result = await runInTerminal(line, ctx);
  const ok = result.exitCode === 0 || (result.exitCode === 1 && !result.output.trim());
  const note = result.truncated ? '\n… [output truncated: the start is missing]' : '';
  const body = result.output.trim() ? truncateText(result.output, ctx.limits.maxResultChars) + note : `(${empty})`;
  const output = ok ? body : `\`${line.command}\` failed with exit code ${result.exitCode ?? result.signal}:\n${body}`;
  return { output, content: [{ type: 'terminal', terminalId: result.terminalId }, textContent(output)], failed: !ok };
}
