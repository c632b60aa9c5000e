/**
 * Which permission requests are answered without asking: the user's auto-approve setting, the agent's own
 * searches, and workspace trust. Decided from what the client itself sees the request would allow (the
 * command, the diffs, the files), never from the `kind` label the server sends. Plain code, no vscode.
 */
import { seeRequest, type SeenClass } from '../client/seenRequest';
import type { PermissionOption, RequestPermissionRequest } from '../protocol/acp';
import type { AutoApprove } from './config';

const CHANGING_KINDS = new Set(['edit', 'delete', 'move', 'execute']);

export interface PolicyView {
  autoApprove: AutoApprove;
  allowSearches: boolean;
  trusted: boolean;
  roots: readonly string[];
}

/** The option a policy picks without asking, with why; undefined means ask the user. */
export function autoDecision(request: RequestPermissionRequest, view: PolicyView): { option: PermissionOption; reason: string } | undefined {
  const seen = seeRequest(request, view.roots).class;
  const labelChanges = CHANGING_KINDS.has(request.toolCall.kind ?? 'other');
  const pick = (kinds: string[]) => kinds.map((k) => request.options.find((o) => o.kind === k)).find((o) => o !== undefined);
  if (!view.trusted && (labelChanges || changes(seen))) {
    const reject = pick(['reject_once', 'reject_always']);
    if (reject) return { option: reject, reason: 'Denied: this workspace is not trusted. Trust it (Manage Workspace Trust) to allow edits and commands.' };
  }
  // Only the once option: an approval here covers this request alone.
  const allow = pick(['allow_once']);
  if (!allow) return undefined;
  if (seen === 'search' && view.allowSearches) return { option: allow, reason: 'Allowed: a read-only search of the workspace (punie.permissions.allowSearches).' };
  const readsOnly = !labelChanges && (seen === 'read' || seen === 'search');
  if (view.autoApprove === 'all' || (view.autoApprove === 'reads' && readsOnly)) return { option: allow, reason: `Allowed by punie.permissions.autoApprove = ${view.autoApprove}.` };
  return undefined;
}

function changes(seen: SeenClass): boolean {
  return seen === 'edit' || seen === 'execute';
}
