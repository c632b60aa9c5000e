/**
 * Asks the client before a write or a command (`session/request_permission`). Only an allow option lets
 * the call run: a reject option, a dismissed request (`cancelled`), an unknown option id or a failed
 * request all deny (Punie ran the call on any `selected` outcome). "Always" answers are remembered per
 * session and tool kind; read-only mode denies without asking.
 */
import { Methods, REVIEW_META, RequestPermissionResponse, ReviewMeta, type PermissionOption, type PermissionOptionKind, type ToolCallUpdateFields, type ToolKind } from '../../protocol/acp';
import type { AgentHost } from '../host';

/** `review`: the user allowed a changed version of a proposed write (see ReviewMeta). */
export type PermissionDecision = { allowed: true; review?: ReviewMeta } | { allowed: false; reason: string };

export const READ_ONLY_MODE = 'read-only';

export class PermissionGate {
  private readonly remembered = new Map<ToolKind, 'allow' | 'reject'>();

  /** The remembered "always" answer for a kind, if any. */
  rememberedFor(kind: ToolKind): 'allow' | 'reject' | undefined {
    return this.remembered.get(kind);
  }

  /** A denial that needs no question (read-only mode, an "always reject" answer), if any. */
  deniedWithoutAsking(mode: string, kind: ToolKind): PermissionDecision | undefined {
    if (mode === READ_ONLY_MODE) return { allowed: false, reason: 'the session is in read-only mode; switch the mode to allow writes and commands' };
    if (this.remembered.get(kind) === 'reject') return { allowed: false, reason: `the user chose to always reject ${kindLabel(kind)} in this session` };
    return undefined;
  }

  async ask(request: {
    host: AgentHost;
    sessionId: string;
    mode: string;
    kind: ToolKind;
    toolCall: ToolCallUpdateFields;
    signal: AbortSignal;
  }): Promise<PermissionDecision> {
    const { kind } = request;
    const denied = this.deniedWithoutAsking(request.mode, kind);
    if (denied) return denied;
    if (this.remembered.get(kind) === 'allow') return { allowed: true };
    const options = permissionOptions(kind);
    let raw: unknown;
    try {
      raw = await request.host.request(Methods.requestPermission, { sessionId: request.sessionId, toolCall: request.toolCall, options }, request.signal);
    } catch (err) {
      if (request.signal.aborted) throw err;
      return { allowed: false, reason: `the permission request failed: ${(err as Error).message}` };
    }
    const parsed = RequestPermissionResponse.safeParse(raw);
    if (!parsed.success) return { allowed: false, reason: 'the client answered the permission request with an invalid outcome' };
    const outcome = parsed.data.outcome;
    if (outcome.outcome === 'cancelled') return { allowed: false, reason: 'the permission request was dismissed' };
    const chosen = options.find((o) => o.optionId === outcome.optionId);
    if (!chosen) return { allowed: false, reason: `the client chose an unknown option "${outcome.optionId}"` };
    const decision = this.decide(kind, chosen.kind);
    const review = ReviewMeta.safeParse(parsed.data._meta?.[REVIEW_META]);
    return decision.allowed && review.success ? { allowed: true, review: review.data } : decision;
  }

  private decide(kind: ToolKind, choice: PermissionOptionKind): PermissionDecision {
    if (choice === 'allow_always') this.remembered.set(kind, 'allow');
    if (choice === 'reject_always') this.remembered.set(kind, 'reject');
    if (choice === 'allow_once' || choice === 'allow_always') return { allowed: true };
    return { allowed: false, reason: 'the user rejected it' };
  }
}

export function permissionOptions(kind: ToolKind): PermissionOption[] {
  const what = kindLabel(kind);
  return [
    { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' },
    { optionId: 'allow_always', name: `Always allow ${what} in this session`, kind: 'allow_always' },
    { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' },
    { optionId: 'reject_always', name: `Always reject ${what} in this session`, kind: 'reject_always' },
  ];
}

function kindLabel(kind: ToolKind): string {
  return kind === 'edit' ? 'file edits' : kind === 'execute' ? 'commands' : `${kind} tools`;
}
