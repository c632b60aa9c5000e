/**
 * One conversation: its history, its transcript (replayed on `session/load`), its remembered permission
 * answers, and at most one running turn. A turn streams model output and tool calls as `session/update`s
 * through the host and can be cancelled; a model failure fails the prompt with an actionable JSON-RPC error.
 */
import type { ContentBlock, SessionUpdate, StopReason } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { History } from './history';
import type { AgentHost } from './host';
import { isAbortError } from './models/abortable';
import type { ChatMessage, ChatModel } from './models/types';
import { promptText } from './text';
import { PermissionGate } from './tools/permission';
import { Transcript } from './loadTranscript';
import { defaultTurnOptions, runTurn, type TurnOptions } from './turn';

export interface AgentSessionOptions {
  /** Most messages kept in the model history (oldest exchanges dropped first). */
  maxHistoryMessages: number;
  /** Most characters kept in the model history. */
  maxHistoryChars: number;
  /** Most updates kept in the transcript replayed by `session/load`. */
  maxTranscriptUpdates: number;
  /** Most characters kept in that transcript (bounds memory and what a reload resends). */
  maxTranscriptChars: number;
  turn: TurnOptions;
}

export const defaultAgentSessionOptions: AgentSessionOptions = {
  maxHistoryMessages: 200,
  maxHistoryChars: 400_000,
  maxTranscriptUpdates: 5000,
  maxTranscriptChars: 4 * 1024 * 1024,
  turn: defaultTurnOptions,
};

export class AgentSession {
  private readonly history: History;
  private readonly transcript: Transcript;
  private readonly permissions = new PermissionGate();
  private running: AbortController | undefined;
  private toolCalls = 0;
  /** `default` asks before writes and commands; `read-only` never does them. */
  mode = 'default';

  constructor(
    readonly id: string,
    readonly cwd: string,
    private readonly model: ChatModel,
    private readonly host: AgentHost,
    private readonly options: AgentSessionOptions = defaultAgentSessionOptions,
  ) {
    this.history = new History({ maxMessages: options.maxHistoryMessages, maxChars: options.maxHistoryChars });
    this.transcript = new Transcript(options.maxTranscriptUpdates, options.maxTranscriptChars);
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The model answering this session (listed with the session, stored with it). */
  get modelId(): string {
    return this.model.id;
  }

  /** The transcript as updates, in order, for `session/load`. */
  replayTranscript(): readonly SessionUpdate[] {
    return this.transcript.updates;
  }

  /**
   * Brings back a stored conversation (after a server restart): the model's history, the transcript, the
   * mode; tool call ids continue after the highest one shown.
   */
  restore(state: { history: readonly ChatMessage[]; transcript: readonly SessionUpdate[]; mode: string }): void {
    this.history.push(...state.history);
    for (const update of state.transcript) {
      this.transcript.record(update);
      const n = update.sessionUpdate === 'tool_call' ? /^call-(\d+)$/.exec(update.toolCallId) : null;
      if (n) this.toolCalls = Math.max(this.toolCalls, Number(n[1]));
    }
    this.mode = state.mode;
  }

  /** Adds messages to the model's history outside a turn (an interrupted turn's partial answer). */
  remember(...messages: ChatMessage[]): void {
    this.history.push(...messages);
    this.host.remember?.(messages);
  }

  /** The messages the model sees (bounded). */
  conversation(): readonly ChatMessage[] {
    return this.history.all;
  }

  async prompt(blocks: ContentBlock[]): Promise<StopReason> {
    if (this.running) {
      throw new RpcError(ErrorCodes.InvalidRequest, `a prompt is already running in session ${this.id}; cancel it or wait for it to end`);
    }
    const controller = new AbortController();
    this.running = controller;
    for (const block of blocks) this.transcript.record({ sessionUpdate: 'user_message_chunk', content: block });
    this.remember({ role: 'user', content: promptText(blocks) });
    const turnMessages: ChatMessage[] = [];
    try {
      return await runTurn(
        {
          sessionId: this.id,
          cwd: this.cwd,
          mode: this.mode,
          model: this.model,
          host: this.host,
          permissions: this.permissions,
          history: this.history.all,
          signal: controller.signal,
          emit: (update) => this.emit(update),
          nextToolCallId: () => `call-${++this.toolCalls}`,
          options: this.options.turn,
        },
        turnMessages,
      );
    } catch (err) {
      if (controller.signal.aborted || isAbortError(err)) return 'cancelled';
      throw modelFailure(this.model.id, err);
    } finally {
      this.remember(...turnMessages);
      this.running = undefined;
    }
  }

  /** Ends the running turn, if any: the model stream and every pending client request; the prompt answers `cancelled`. */
  cancel(): void {
    this.running?.abort(new Error('cancelled'));
  }

  private emit(update: SessionUpdate): void {
    this.transcript.record(update);
    this.host.emit(update);
  }
}

/** A failed model ends the prompt with -32603 whose message says which model failed and what to do. */
function modelFailure(modelId: string, err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RpcError(ErrorCodes.InternalError, `Model "${modelId}" failed: ${message}`, { model: modelId });
}
