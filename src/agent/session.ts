/**
 * One conversation: its history, its transcript (replayed on `session/load`), and at most one running
 * turn. The turn streams model output as `session/update`s through the host and can be cancelled.
 */
import type { ContentBlock, SessionUpdate, StopReason } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { AgentHost } from './host';
import { isAbortError } from './models/abortable';
import type { ChatMessage, ChatModel } from './models/types';
import { promptText, splitText } from './text';

export interface AgentSessionOptions {
  /** Most messages kept in the model history (oldest dropped first). */
  maxHistoryMessages: number;
  /** Most updates kept in the transcript replayed by `session/load`. */
  maxTranscriptUpdates: number;
}

export const defaultAgentSessionOptions: AgentSessionOptions = { maxHistoryMessages: 200, maxTranscriptUpdates: 5000 };

export class AgentSession {
  private readonly history: ChatMessage[] = [];
  private readonly transcript: SessionUpdate[] = [];
  private running: AbortController | undefined;
  /** `default` asks before writes and commands; `read-only` never does them. */
  mode = 'default';

  constructor(
    readonly id: string,
    readonly cwd: string,
    private model: ChatModel,
    private readonly host: AgentHost,
    private readonly options: AgentSessionOptions = defaultAgentSessionOptions,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  get modelId(): string {
    return this.model.id;
  }

  setModel(model: ChatModel): void {
    this.model = model;
  }

  /** The transcript as updates, in order, for `session/load`. */
  replayTranscript(): readonly SessionUpdate[] {
    return this.transcript;
  }

  async prompt(blocks: ContentBlock[]): Promise<StopReason> {
    if (this.running) {
      throw new RpcError(ErrorCodes.InvalidRequest, `a prompt is already running in session ${this.id}; cancel it or wait for it to end`);
    }
    const controller = new AbortController();
    this.running = controller;
    const userText = promptText(blocks);
    for (const block of blocks) this.record({ sessionUpdate: 'user_message_chunk', content: block });
    this.pushHistory({ role: 'user', content: userText });
    let answer = '';
    try {
      for await (const event of this.model.stream({ messages: this.history, tools: [], signal: controller.signal })) {
        if (controller.signal.aborted) break;
        if (event.type === 'text') {
          answer += event.text;
          this.emitText('agent_message_chunk', event.text);
        } else if (event.type === 'thought') {
          this.emitText('agent_thought_chunk', event.text);
        }
      }
      return controller.signal.aborted ? 'cancelled' : 'end_turn';
    } catch (err) {
      if (controller.signal.aborted || isAbortError(err)) return 'cancelled';
      throw err;
    } finally {
      if (answer) this.pushHistory({ role: 'assistant', content: answer });
      this.running = undefined;
    }
  }

  /** Ends the running turn, if any; its prompt answers `cancelled`. */
  cancel(): void {
    this.running?.abort(new Error('cancelled'));
  }

  private emitText(kind: 'agent_message_chunk' | 'agent_thought_chunk', text: string): void {
    for (const piece of splitText(text)) this.emit({ sessionUpdate: kind, content: { type: 'text', text: piece } });
  }

  private emit(update: SessionUpdate): void {
    this.record(update);
    this.host.emit(update);
  }

  /** Adds to the transcript, merging consecutive text chunks of the same kind so it stays compact. */
  private record(update: SessionUpdate): void {
    const last = this.transcript[this.transcript.length - 1];
    const merged = last && mergeTextChunks(last, update);
    if (merged) {
      this.transcript[this.transcript.length - 1] = merged;
      return;
    }
    this.transcript.push(update);
    if (this.transcript.length > this.options.maxTranscriptUpdates) this.transcript.shift();
  }

  private pushHistory(message: ChatMessage): void {
    this.history.push(message);
    if (this.history.length > this.options.maxHistoryMessages) this.history.splice(0, this.history.length - this.options.maxHistoryMessages);
  }
}

const MERGE_LIMIT = 64 * 1024;

function mergeTextChunks(a: SessionUpdate, b: SessionUpdate): SessionUpdate | undefined {
  if (a.sessionUpdate !== b.sessionUpdate) return undefined;
  if (a.sessionUpdate !== 'agent_message_chunk' && a.sessionUpdate !== 'agent_thought_chunk') return undefined;
  const left = a.content;
  const right = (b as typeof a).content;
  if (left.type !== 'text' || right.type !== 'text' || left.text.length + right.text.length > MERGE_LIMIT) return undefined;
  return { ...a, content: { type: 'text', text: left.text + right.text } };
}
