/**
 * Permission questions in the session's log: when the agent asks the client `session/request_permission`,
 * the question (tool call, title, options) and then its outcome (the option chosen, cancelled, or no answer)
 * are written as a `tool_call_update` of that tool call carrying `_meta["punie/permission"]`. That update
 * kind is ACP v1's own, so `session/load` replays it to every client and a standard client just sees an
 * update that changes nothing; Punie's extension shows "you were asked X and answered Y" from it. A new
 * sessionUpdate kind would be one ACP clients are never to be sent. One small function, so a path that
 * gets the answer some other way (another server of the fleet) can write the same records.
 */
import { RequestPermissionRequest, type SessionUpdate } from '../protocol/acp';
import { PERMISSION_META, PermissionOutcomeRecord, type PermissionRecord } from '../protocol/punie';
import { RequestTimeoutError } from '../transport/errors';

/** The question as recorded, or undefined for params that are not a permission request. */
export function permissionAsked(params: unknown): { toolCallId: string; record: PermissionRecord } | undefined {
  const parsed = RequestPermissionRequest.safeParse(params);
  if (!parsed.success) return undefined;
  const { toolCall, options } = parsed.data;
  return {
    toolCallId: toolCall.toolCallId,
    record: { title: (toolCall.title ?? 'Permission to use a tool').slice(0, 4096), options: options.slice(0, 20).map(({ optionId, name, kind }) => ({ optionId, name: name.slice(0, 500), kind })) },
  };
}

/** What became of a question: the client's answer, or why there is none. */
export function permissionOutcome(answer: { value: unknown } | { error: unknown; aborted: boolean }): PermissionOutcomeRecord {
  if ('value' in answer) {
    const outcome = PermissionOutcomeRecord.safeParse((answer.value as { outcome?: unknown } | undefined)?.outcome);
    return outcome.success && outcome.data.outcome !== 'failed' ? outcome.data : { outcome: 'failed', reason: 'the client gave an answer that is not one of the options' };
  }
  if (answer.aborted) return { outcome: 'cancelled' };
  return { outcome: 'failed', reason: answer.error instanceof RequestTimeoutError ? 'no answer came in time' : 'no answer came (the session ended or the client could not ask)' };
}

/** The update that records a question, with its outcome once there is one. */
export function permissionUpdate(toolCallId: string, record: PermissionRecord): SessionUpdate {
  return { sessionUpdate: 'tool_call_update', toolCallId, _meta: { [PERMISSION_META]: record } };
}

/** Asks with `ask`, and writes the question and then its outcome with `note` (the session's own updates). */
export async function recordedPermission<T>(params: unknown, signal: AbortSignal, ask: () => Promise<T>, note: (update: SessionUpdate) => void): Promise<T> {
  const asked = permissionAsked(params);
  if (!asked) return ask();
  note(permissionUpdate(asked.toolCallId, asked.record));
  try {
    const value = await ask();
    note(permissionUpdate(asked.toolCallId, { ...asked.record, outcome: permissionOutcome({ value }) }));
    return value;
  } catch (error) {
    note(permissionUpdate(asked.toolCallId, { ...asked.record, outcome: permissionOutcome({ error, aborted: signal.aborted }) }));
    throw error;
  }
}
