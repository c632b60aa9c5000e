/**
 * What a permission request would let the agent do, as the client itself sees it: the exact command in
 * `rawInput`, the paths of `diff` content, the files in `locations`. The `kind` label the server sends
 * decides nothing here (a "read" that carries a diff is an edit). Plain code, shared by every client.
 */
import path from 'node:path';
import { listCommand, searchCommand } from '../agent/tools/search';
import type { RequestPermissionRequest } from '../protocol/acp';
import { isLikelySecret, sameCommand, TerminalCommand } from '../protocol/toolInput';
import { confiningRoot } from '../util/confine';

export type SeenClass = 'search' | 'read' | 'secret-read' | 'edit' | 'execute' | 'other';

export interface SeenRequest {
  class: SeenClass;
  command?: TerminalCommand;
  /** Paths of the diffs shown: what an approval lets the agent write. */
  writes: string[];
  /** Files named in locations: what an approval lets the agent read (likely secrets included). */
  reads: string[];
}

export function seeRequest(request: RequestPermissionRequest, roots: readonly string[]): SeenRequest {
  const { toolCall } = request;
  const parsed = TerminalCommand.safeParse(toolCall.rawInput);
  const writes = (toolCall.content ?? []).flatMap((c) => (c.type === 'diff' ? [c.path] : []));
  const reads = (toolCall.locations ?? []).map((l) => l.path);
  if (parsed.success) {
    const command = parsed.data;
    return { class: isReadOnlySearch(command, roots) ? 'search' : 'execute', command, writes, reads };
  }
  if (writes.length > 0) return { class: 'edit', writes, reads };
  if (reads.length > 0 && reads.every((p) => confiningRoot(roots, p))) return { class: reads.some(isLikelySecret) ? 'secret-read' : 'read', writes, reads };
  return { class: 'other', writes, reads };
}

/**
 * Exactly the agent's own `list_files` / `search_text` commands (fixed `find` / `grep` argv without a shell)
 * over a folder inside the workspace. Anything else — another program, an extra flag, a shell — is not.
 */
export function isReadOnlySearch(command: TerminalCommand, roots: readonly string[]): boolean {
  if (command.env?.length || !command.cwd || !confiningRoot(roots, command.cwd)) return false;
  const args = command.args ?? [];
  const cwd = command.cwd;
  if (command.command === 'find') {
    const dir = args[0];
    const depth = Number(args[2]);
    const glob = args.length > 16 ? args[15] : undefined;
    if (!dir || !path.isAbsolute(dir) || !confiningRoot(roots, dir) || !Number.isInteger(depth)) return false;
    return sameCommand(command, listCommand({ path: dir, depth, glob }, cwd));
  }
  if (command.command === 'grep') {
    const dir = args[args.length - 1];
    const e = args.indexOf('-e');
    const include = args.find((a) => a.startsWith('--include='));
    if (!dir || !path.isAbsolute(dir) || !confiningRoot(roots, dir) || e === -1) return false;
    return sameCommand(command, searchCommand({ pattern: args[e + 1], path: dir, glob: include?.slice('--include='.length) }, cwd));
  }
  return false;
}
