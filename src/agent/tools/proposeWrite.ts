/**
 * What `write_file` and `edit_file` share: the target confined to the workspace and its text; then the
 * change shown as an ACP `diff`, the user asked, and what the user accepted written. The client may answer with a changed version (edited, or some hunks rejected,
 * see ReviewMeta); then that is written, and the model is told exactly how it differs from its proposal.
 */
import { createPatch } from 'diff';
import { Methods, ReadTextFileResponse, type ToolCallContent } from '../../protocol/acp';
import { confinedPath, displayPath, truncateText } from './paths';
import type { ToolContext, ToolResult } from './types';

export interface Proposal {
  path: string;
  /** The file's text now; null for a new file. */
  oldText: string | null;
  newText: string;
  /** The permission card's title. */
  title: string;
  /** What the model is told when the proposal is written as it was. */
  done: string;
}

export async function proposeWrite(proposal: Proposal, ctx: ToolContext): Promise<ToolResult> {
  const { path, oldText, newText } = proposal;
  const shown = displayPath(ctx.cwd, path);
  const diff: ToolCallContent = { type: 'diff', path, oldText, newText };
  ctx.update({ content: [diff] });
  const decision = await ctx.permissions.ask({
    host: ctx.host,
    sessionId: ctx.sessionId,
    mode: ctx.mode,
    kind: 'edit',
    toolCall: { toolCallId: ctx.toolCallId, title: proposal.title, kind: 'edit', locations: [{ path }], content: [diff] },
    signal: ctx.signal,
  });
  if (!decision.allowed) return { output: `The change to ${path} was not made: ${decision.reason}.`, content: [diff], failed: true };
  const written = decision.review?.content ?? newText;
  await ctx.host.request(Methods.fsWrite, { sessionId: ctx.sessionId, path, content: written }, ctx.signal);
  const final: ToolCallContent = { type: 'diff', path, oldText, newText: written };
  if (written === newText) return { output: proposal.done, content: [final] };
  const changes = createPatch(shown, newText, written, 'your proposal', 'what was written', { context: 2 });
  const output =
    `The user accepted a changed version of your change to ${path} (${decision.review?.note ?? 'edited'}); that version was written. ` +
    `Its difference from your proposal:\n${truncateText(changes, ctx.limits.maxResultChars)}`;
  return { output, content: [final] };
}

/**
 * The file a write or edit targets, confined to the workspace, with its current text; or the refusal that
 * needs no question (outside the workspace, read-only mode, "always reject"), given before reading the file.
 */
export async function writeTarget(
  ctx: ToolContext,
  rawPath: string,
  verb: 'write' | 'edit',
): Promise<{ path: string; oldText: string | null; refused?: undefined } | { refused: ToolResult }> {
  const what = verb === 'write' ? 'The write' : 'The edit';
  const where = confinedPath(ctx.cwd, rawPath);
  if (!where.ok) return { refused: { output: `${what} was not done: ${where.reason}.`, failed: true } };
  const early = ctx.permissions.deniedWithoutAsking(ctx.mode, 'edit');
  if (early && !early.allowed) return { refused: { output: `${what} ${verb === 'write' ? 'to' : 'of'} ${where.path} was not done: ${early.reason}.`, failed: true } };
  return { path: where.path, oldText: await currentText(where.path, ctx) };
}

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
