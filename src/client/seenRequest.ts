/**
 * What a permission request would let the agent do, as the client itself sees it: the exact command in
 * `rawInput`, the paths of `diff` content, the files in `locations`. The `kind` label the server sends
 * decides nothing here (a "read" that carries a diff is an edit). Plain code, shared by every client.
 */
import path from 'node:path';
import { isWindowsPath } from '../agent/tools/paths';
import { listCommand, searchCommand } from '../agent/tools/search';
import type { CommandLine } from '../agent/tools/terminal';
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
 * Exactly the agent's own `list_files` / `search_text` commands (fixed `find` / `grep` argv, or `where` /
 * `findstr` in a Windows workspace, without a shell) over a folder inside the workspace. Anything else —
 * another program, an extra flag, a shell — is not.
 */
export function isReadOnlySearch(command: TerminalCommand, roots: readonly string[]): boolean {
  if (command.env?.length || !command.cwd || !confiningRoot(roots, command.cwd)) return false;
  const dir = agentSearchFolder(command);
  return dir !== undefined && confiningRoot(roots, dir) !== undefined;
}

/** The folder an agent search command searches, when the command is exactly one the agent's tools make. */
export function agentSearchFolder(command: TerminalCommand): string | undefined {
  const made = remake(command.command, command.args ?? [], command.cwd ?? '');
  return made && sameCommand(command, made.line) ? made.dir : undefined;
}

/** The command the agent's tools would make for the folder (and options) read back from `args`. */
function remake(program: string, args: readonly string[], cwd: string): { dir: string; line: CommandLine } | undefined {
  const absolute = (dir: string | undefined): dir is string => dir !== undefined && (path.isAbsolute(dir) || isWindowsPath(dir));
  switch (program) {
    case 'find': {
      const [dir, , depthText] = args;
      const depth = Number(depthText);
      if (!absolute(dir) || !Number.isInteger(depth)) return undefined;
      return { dir, line: listCommand({ path: dir, depth, glob: args.length > 16 ? args[15] : undefined }, cwd) };
    }
    case 'grep': {
      const dir = args.at(-1);
      const e = args.indexOf('-e');
      const glob = args.find((a) => a.startsWith('--include='))?.slice('--include='.length);
      if (!absolute(dir) || e === -1) return undefined;
      return { dir, line: searchCommand({ pattern: args[e + 1], path: dir, glob }, cwd) };
    }
    case 'where': {
      const [, dir, glob] = args;
      return absolute(dir) ? { dir, line: listCommand({ path: dir, glob }, cwd) } : undefined;
    }
    case 'findstr': {
      // findstr takes the folder and the file pattern as one argument: C:\w\src\*.ts
      const target = args.at(-1) ?? '';
      const cut = target.lastIndexOf('\\');
      const dir = target.slice(0, cut);
      const pattern = args[3]?.startsWith('/c:') ? args[3].slice('/c:'.length) : undefined;
      if (cut <= 0 || !absolute(dir) || !pattern) return undefined;
      return { dir, line: searchCommand({ pattern, path: dir, glob: target.slice(cut + 1) }, cwd) };
    }
    default:
      return undefined;
  }
}
