/**
 * One tool call of a turn, as the client sees it: `tool_call` (pending) when the model asks for it, then
 * `tool_call_update` in_progress → completed / failed with content. Bad arguments, unknown tools and client
 * errors fail the call and go back to the model as text; only a cancel escapes (as an AbortError).
 */
import type { SessionUpdate, ToolCallUpdateFields } from '../protocol/acp';
import { summarizeIssues } from '../protocol/issues';
import { abortError } from './models/abortable';
import type { ToolCallRequest } from './models/types';
import { textContent, type AgentTool, type ToolContext, type ToolPresentation } from './tools/types';

export type ToolBase = Omit<ToolContext, 'toolCallId' | 'update'>;

export interface PreparedCall {
  toolCallId: string;
  request: ToolCallRequest;
  tool?: AgentTool<never>;
  args?: never;
  /** Set when the call cannot run (unknown tool, bad arguments); it is already reported as failed. */
  error?: string;
}

export function prepareToolCall(
  request: ToolCallRequest,
  toolCallId: string,
  tools: readonly AgentTool<never>[],
  base: ToolBase,
  emit: (update: SessionUpdate) => void,
): PreparedCall {
  const tool = tools.find((t) => t.spec.name === request.name);
  const fail = (title: string, error: string): PreparedCall => {
    emit({ sessionUpdate: 'tool_call', toolCallId, title, kind: 'other', status: 'failed', rawInput: request.arguments, content: [textContent(error)] });
    return { toolCallId, request, error };
  };
  if (!tool) {
    return fail(`Unknown tool ${request.name}`, `Error: there is no tool named "${request.name}". Available tools: ${tools.map((t) => t.spec.name).join(', ') || 'none'}.`);
  }
  let json: unknown;
  try {
    json = request.arguments.trim() ? JSON.parse(request.arguments) : {};
  } catch (err) {
    return fail(`${request.name} (invalid arguments)`, `Error: the arguments of ${request.name} are not valid JSON (${(err as Error).message}). Call it again with a JSON object.`);
  }
  const parsed = tool.args.safeParse(json);
  if (!parsed.success) {
    const { text } = summarizeIssues(parsed.error.issues, '(arguments)');
    return fail(`${request.name} (invalid arguments)`, `Error: invalid arguments for ${request.name}: ${text}.`);
  }
  const shown: ToolPresentation = tool.present(parsed.data, { cwd: base.cwd });
  emit({ sessionUpdate: 'tool_call', toolCallId, kind: tool.kind, status: 'pending', ...shown });
  return { toolCallId, request, tool, args: parsed.data };
}

/** Runs a prepared call and answers the text the model gets back. */
export async function executeToolCall(call: PreparedCall, base: ToolBase, emit: (update: SessionUpdate) => void): Promise<string> {
  if (call.error !== undefined || !call.tool) return call.error ?? 'Error: the call could not run.';
  const update = (fields: Omit<ToolCallUpdateFields, 'toolCallId'>) => emit({ sessionUpdate: 'tool_call_update', toolCallId: call.toolCallId, ...fields });
  update({ status: 'in_progress' });
  try {
    const result = await call.tool.run(call.args as never, { ...base, toolCallId: call.toolCallId, update });
    if (base.signal.aborted) throw abortError(base.signal);
    update({ status: result.failed ? 'failed' : 'completed', content: result.content ?? [textContent(result.output)] });
    return result.output;
  } catch (err) {
    if (base.signal.aborted) {
      update({ status: 'failed', content: [textContent('Cancelled')] });
      throw abortError(base.signal);
    }
    const message = `Error: ${(err as Error).message}`;
    update({ status: 'failed', content: [textContent(message)] });
    return message;
  }
}

/** Marks a call that never ran because the turn ended first (cancelled, or the model failed or refused). */
export function cancelPending(call: PreparedCall, emit: (update: SessionUpdate) => void, reason = 'Cancelled'): void {
  if (call.error === undefined) emit({ sessionUpdate: 'tool_call_update', toolCallId: call.toolCallId, status: 'failed', content: [textContent(reason)] });
}
