/**
 * The client holds the agent to what the user approved. It records what each allowed permission request
 * showed (see seenRequest.ts), and carries out `fs/write_text_file`, `terminal/create` and reads of likely
 * secrets only when they match such an approval of the same session: an exact command once (or always, if
 * the user said so), a write of a path whose diff was shown. The agent's own read-only searches run without
 * one when the user's policy allows. Everything else is refused with -32033 and a notice, so a remote
 * server, a port squatter or a compromised agent cannot write or run anything without the prompt.
 * Every path must also be inside the workspace roots once symlinks are resolved.
 */
import path from 'node:path';
import { CreateTerminalRequest, Methods, ReadTextFileRequest, RequestPermissionRequest, RequestPermissionResponse, WriteTextFileRequest } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { isLikelySecret, sameCommand, type TerminalCommand } from '../protocol/toolInput';
import { confiningRoot } from '../util/confine';
import { isReadOnlySearch, seeRequest } from './seenRequest';
import type { AgentRequestHandler } from './types';

export interface ApprovalPolicy {
  /** Absolute paths of the workspace roots. */
  roots(): readonly string[];
  /** The agent's own read-only searches run without an approval. */
  allowSearches(): boolean;
  /** Likely secrets may be read without an approval (the user's auto-approve policy is `all`). */
  allowSecretReads(): boolean;
  /** Tells the user, in plain words, what was refused. */
  notice(text: string): void;
}

interface SessionGrants {
  commands: { command: TerminalCommand; always: boolean }[];
  writes: Set<string>;
  reads: Set<string>;
  /** "Always allow file edits": any write inside the workspace. */
  allEdits: boolean;
}

export class ApprovalLedger {
  private readonly sessions = new Map<string, SessionGrants>();

  /** Records what an allowed request showed. */
  approve(request: RequestPermissionRequest, always: boolean, roots: readonly string[]): void {
    const seen = seeRequest(request, roots);
    const grants = this.of(request.sessionId);
    if (seen.command) grants.commands.push({ command: seen.command, always });
    for (const p of seen.writes) grants.writes.add(path.resolve(p));
    for (const p of seen.reads) grants.reads.add(path.resolve(p));
    if (always && seen.class === 'edit') grants.allEdits = true;
  }

  /** Uses up a once-approval of this exact command (an always-approval stays). */
  takeCommand(sessionId: string, command: TerminalCommand): boolean {
    const grants = this.sessions.get(sessionId);
    const index = grants?.commands.findIndex((g) => sameCommand(g.command, command)) ?? -1;
    if (!grants || index === -1) return false;
    if (!grants.commands[index].always) grants.commands.splice(index, 1);
    return true;
  }

  takeWrite(sessionId: string, filePath: string): boolean {
    const grants = this.sessions.get(sessionId);
    if (!grants) return false;
    return grants.allEdits || grants.writes.delete(path.resolve(filePath));
  }

  mayRead(sessionId: string, filePath: string): boolean {
    return this.sessions.get(sessionId)?.reads.has(path.resolve(filePath)) === true;
  }

  private of(sessionId: string): SessionGrants {
    let grants = this.sessions.get(sessionId);
    if (!grants) this.sessions.set(sessionId, (grants = { commands: [], writes: new Set(), reads: new Set(), allEdits: false }));
    return grants;
  }
}

/** Wraps a client's agent-request handler so that side effects happen only as approved. */
export function guardAgentRequests(inner: AgentRequestHandler, policy: ApprovalPolicy, ledger = new ApprovalLedger()): AgentRequestHandler {
  const refuse = (what: string, why: string, method: string): never => {
    policy.notice(`Refused: the agent tried to ${what} ${why}.`);
    throw new RpcError(ErrorCodes.NotApproved, `${method} refused: ${what} ${why}`);
  };
  // A relative path is left to the inner handler, which refuses it as such.
  const inside = (p: string | null | undefined, what: string, method: string) => {
    if (p && path.isAbsolute(p) && !confiningRoot(policy.roots(), p)) refuse(what, 'outside the workspace folders (symbolic links resolved)', method);
  };
  const relative = (p: string) => !path.isAbsolute(p);
  return async (method, params, signal, id) => {
    switch (method) {
      case Methods.requestPermission: {
        const answer = await inner(method, params, signal, id);
        const request = RequestPermissionRequest.safeParse(params);
        const response = RequestPermissionResponse.safeParse(answer);
        if (request.success && response.success && response.data.outcome.outcome === 'selected') {
          const chosen = (response.data.outcome as { optionId: string }).optionId;
          const kind = request.data.options.find((o) => o.optionId === chosen)?.kind;
          if (kind === 'allow_once' || kind === 'allow_always') ledger.approve(request.data, kind === 'allow_always', policy.roots());
        }
        return answer;
      }
      case Methods.fsWrite: {
        const request = WriteTextFileRequest.safeParse(params);
        if (request.success) {
          inside(request.data.path, `write ${request.data.path}`, method);
          if (!relative(request.data.path) && !ledger.takeWrite(request.data.sessionId, request.data.path)) refuse(`write ${request.data.path}`, 'without your approval', method);
        }
        break;
      }
      case Methods.fsRead: {
        const request = ReadTextFileRequest.safeParse(params);
        if (request.success) {
          inside(request.data.path, `read ${request.data.path}`, method);
          const secret = isLikelySecret(request.data.path) && !policy.allowSecretReads();
          if (secret && !ledger.mayRead(request.data.sessionId, request.data.path)) refuse(`read ${request.data.path}`, 'which may hold secrets, without your approval', method);
        }
        break;
      }
      case Methods.terminalCreate: {
        const request = CreateTerminalRequest.safeParse(params);
        if (request.success) {
          const command: TerminalCommand = request.data;
          const label = [command.command, ...(command.args ?? [])].join(' ').slice(0, 200);
          inside(command.cwd, `run \`${label}\``, method);
          const search = policy.allowSearches() && isReadOnlySearch(command, policy.roots());
          if (!search && !ledger.takeCommand(request.data.sessionId, command)) refuse(`run \`${label}\``, 'without your approval', method);
        }
        break;
      }
    }
    // Invalid params go through: the inner handler answers them with -32602.
    return inner(method, params, signal, id);
  };
}
