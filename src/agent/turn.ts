/**
 * One prompt turn: stream the model, show its text and reasoning, run the tool calls it asks for through
 * the client, give it the results, and repeat until it answers without tools or the step limit is hit.
 * Messages of the turn are appended to `out` as they complete, so the history stays consistent (every
 * tool call has a result) even when the turn is cancelled or the model fails.
 */
import type { SessionUpdate, StopReason } from '../protocol/acp';
import type { AgentHost } from './host';
import { abortError } from './models/abortable';
import type { ChatMessage, ChatModel, ToolCallRequest } from './models/types';
import { systemPrompt } from './systemPrompt';
import { MAX_CHUNK_TEXT, splitText } from './text';
import { TextBuilder } from './textBuilder';
import { cancelPending, executeToolCall, prepareToolCall, type PreparedCall, type ToolBase } from './toolCall';
import { availableTools } from './tools';
import type { PermissionGate } from './tools/permission';
import type { AgentTool, ToolLimits } from './tools/types';

export interface TurnOptions {
  /** Most model requests in one turn; past it the turn ends with `max_turn_requests`. */
  maxSteps: number;
  limits: ToolLimits;
}

export const defaultTurnOptions: TurnOptions = { maxSteps: 25, limits: { outputByteLimit: 64 * 1024, maxResultChars: 50_000 } };

export interface TurnInput {
  sessionId: string;
  cwd: string;
  mode: string;
  model: ChatModel;
  host: AgentHost;
  permissions: PermissionGate;
  /** The conversation so far, ending with this turn's user message. */
  history: readonly ChatMessage[];
  /** Tools besides Punie's own (the session's MCP servers'), asked for again at every step: they can change. */
  extraTools?: () => readonly AgentTool<never>[];
  signal: AbortSignal;
  emit(update: SessionUpdate): void;
  /** A session-unique id for the next tool call shown to the client. */
  nextToolCallId(): string;
  options: TurnOptions;
}

export async function runTurn(input: TurnInput, out: ChatMessage[]): Promise<StopReason> {
  const { signal, emit } = input;
  const own = availableTools(input.host.clientCapabilities());
  const base: ToolBase = { sessionId: input.sessionId, cwd: input.cwd, mode: input.mode, host: input.host, permissions: input.permissions, limits: input.options.limits, signal };
  for (let step = 0; step < input.options.maxSteps; step++) {
    if (signal.aborted) throw abortError(signal);
    const tools = [...own, ...(input.extraTools?.() ?? [])];
    const system: ChatMessage = { role: 'system', content: systemPrompt(input.cwd, input.mode, tools) };
    const answer = new TextBuilder();
    let finish: 'max_tokens' | 'refusal' | undefined;
    const calls: PreparedCall[] = [];
    try {
      const stream = input.model.stream({ messages: [system, ...input.history, ...out], tools: tools.map((t) => t.spec), signal });
      for await (const event of stream) {
        if (signal.aborted) throw abortError(signal);
        if (event.type === 'text' || event.type === 'thought') {
          if (event.type === 'text') answer.push(event.text);
          const kind = event.type === 'text' ? 'agent_message_chunk' : 'agent_thought_chunk';
          if (event.text.length <= MAX_CHUNK_TEXT) emit({ sessionUpdate: kind, content: { type: 'text', text: event.text } });
          else for (const piece of splitText(event.text)) emit({ sessionUpdate: kind, content: { type: 'text', text: piece } });
        } else if (event.type === 'tool_call') {
          const request = uniqueCall(event.call, calls, input.nextToolCallId());
          calls.push(prepareToolCall(request.call, request.toolCallId, tools, base, emit));
        } else if (event.type === 'usage') {
          // `size` 0: the model did not say how large its context is.
          emit({ sessionUpdate: 'usage_update', used: event.inputTokens + event.outputTokens, size: event.contextSize ?? input.model.contextSize ?? 0 });
        } else finish = event.reason;
      }
      // A model that ignored the cancel and finished anyway must not turn it into end_turn.
      if (signal.aborted) throw abortError(signal);
    } catch (err) {
      if (!answer.isEmpty) out.push({ role: 'assistant', content: answer.toString() });
      for (const call of calls) cancelPending(call, emit, signal.aborted ? 'Cancelled' : 'Not run: the model failed');
      throw err;
    }
    const text = answer.toString();
    if (finish === 'refusal' || calls.length === 0) {
      out.push({ role: 'assistant', content: text });
      for (const call of calls) cancelPending(call, emit, 'Not run: the model refused');
      return finish ?? 'end_turn';
    }
    out.push({ role: 'assistant', content: text, toolCalls: calls.map((c) => c.request) });
    await runCalls(calls, base, emit, out);
  }
  return 'max_turn_requests';
}

/** Runs the calls one after another (each may ask the user); on cancel the rest are marked and answered. */
async function runCalls(calls: PreparedCall[], base: ToolBase, emit: (u: SessionUpdate) => void, out: ChatMessage[]): Promise<void> {
  for (let i = 0; i < calls.length; i++) {
    try {
      out.push({ role: 'tool', toolCallId: calls[i].request.id, content: await executeToolCall(calls[i], base, emit) });
    } catch (err) {
      for (const rest of calls.slice(i + 1)) cancelPending(rest, emit);
      for (const call of calls.slice(i)) out.push({ role: 'tool', toolCallId: call.request.id, content: 'Cancelled by the user.' });
      throw err;
    }
  }
}

/** Models may repeat or omit call ids; the history needs them unique to pair calls with results. */
function uniqueCall(call: ToolCallRequest, earlier: PreparedCall[], toolCallId: string): { call: ToolCallRequest; toolCallId: string } {
  const clash = !call.id || earlier.some((c) => c.request.id === call.id);
  return { call: clash ? { ...call, id: `call_${toolCallId}` } : call, toolCallId };
}
