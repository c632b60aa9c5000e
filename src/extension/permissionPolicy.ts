/** Which permission requests are answered without asking: auto-approve setting and workspace trust. Plain code, no vscode. */
import type { PermissionOption, RequestPermissionRequest } from '../protocol/acp';
import type { AutoApprove } from './config';

const READ_KINDS = new Set(['read', 'search', 'think']);
const CHANGING_KINDS = new Set(['edit', 'delete', 'move', 'execute']);

/** The option a policy picks without asking, with why; undefined means ask the user. */
export function autoDecision(
  request: RequestPermissionRequest,
  policy: AutoApprove,
  trusted: boolean,
): { option: PermissionOption; reason: string } | undefined {
  const kind = request.toolCall.kind ?? 'other';
  const pick = (kinds: string[]) => kinds.map((k) => request.options.find((o) => o.kind === k)).find((o) => o !== undefined);
  if (!trusted && CHANGING_KINDS.has(kind)) {
    const reject = pick(['reject_once', 'reject_always']);
    if (reject) return { option: reject, reason: 'Denied: this workspace is not trusted. Trust it (Manage Workspace Trust) to allow edits and commands.' };
  }
  if (policy === 'all' || (policy === 'reads' && READ_KINDS.has(kind))) {
    const allow = pick(['allow_once', 'allow_always']);
    if (allow) return { option: allow, reason: `Allowed by punie.permissions.autoApprove = ${policy}.` };
  }
  return undefined;
}
