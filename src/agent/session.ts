/**
 * One conversation: its history, its transcript (replayed on `session/load`), its remembered permission
 * answers, and at most one running turn. A turn streams model output and tool calls as `session/update`s
 * through the host and can be cancelled; a model failure fails the prompt with an actionable JSON-RPC error.
 */
import type { ContentBlock, SessionUpdate, StopReason } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { silentLogger, type Logger } from '../util/logger';
import { ChunkCoalescer, plainTextChunk, type Ticker } from './chunkCoalescer';
import { History } from './history';
import type { AgentHost } from './host';
import { defaultMcpOptions, type McpOptions } from './mcp/options';
import { McpServers } from './mcp/servers';
import { isAbortError } from './models/abortable';
import type { ChatMessage, ChatModel, ImageData } from './models/types';
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
  /** The session's MCP servers: which are allowed, start timeout, restarts. */
  mcp: McpOptions;
}

export const defaultAgentSessionOptions: AgentSessionOptions = {
  maxHistoryMessages: 200,
  maxHistoryChars: 400_000,
  maxTranscriptUpdates: 5000,
  maxTranscriptChars: 4 * 1024 * 1024,
  turn: defaultTurnOptions,
  mcp: defaultMcpOptions,
};

export class AgentSession {
  private readonly history: History;
  private readonly transcript: Transcript;
  private readonly permissions = new PermissionGate();
  /** The MCP servers the client named for this session; their tools join Punie's own. */
  readonly mcp: McpServers;
  /** The model's text chunks of the running turn, merged within one event-loop turn. */
  private readonly chunks: ChunkCoalescer;
  private running: AbortController | undefined;
  /**
   * The running turn's message chunks: characters of the model's own text, and whether any other message
   * chunk (a notice, a note about images) went out. Known here, where the chunks are made, so the host
   * never compares two long strings (a megabyte answer is a rope of thousands of pieces).
   */
  private turnChunks = { modelChars: 0, other: false };
  private toolCalls = 0;
  /** `default` asks before writes and commands; `read-only` never does them. */
  mode = 'default';
  /** The last usage the model reported (tokens in context, context size or 0), for the log. */
  lastUsage: { used: number; size: number } | undefined;

  constructor(
    readonly id: string,
    readonly cwd: string,
    private model: ChatModel,
    private readonly host: AgentHost,
    private readonly options: AgentSessionOptions = defaultAgentSessionOptions,
    log: Logger = silentLogger,
    ticker?: Ticker,
  ) {
    this.mcp = new McpServers(cwd, options.mcp, log);
    this.chunks = new ChunkCoalescer(
      (update) => this.send(update),
      (err) => {
        log.error(`session ${this.id}: a streamed update could not be sent: ${err instanceof Error ? err.message : String(err)}`);
        this.fail(new RpcError(ErrorCodes.InternalError, 'The answer could not be sent'));
      },
      ticker,
    );
    this.history = new History({ maxMessages: options.maxHistoryMessages, maxChars: options.maxHistoryChars });
    this.transcript = new Transcript(options.maxTranscriptUpdates, options.maxTranscriptChars);
  }

  // Read-only views of private state, in the same getter style as RpcEndpoint's.
  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The model answering this session (listed with the session, stored with it). */
  get modelId(): string {
    return this.model.id;
  }

  /** Switches the model (session/set_config_option, /model); the conversation stays. */
  setModel(model: ChatModel): void {
    this.model = model;
  }

  /** The transcript as updates, in order, for `session/load`. */
  replayTranscript(): readonly SessionUpdate[] {
    return this.transcript.updates;
  }

  /** An update of a turn another server runs, relayed here: kept in the transcript a `session/load` replays. */
  relayed(update: SessionUpdate): void {
    this.transcript.record(update);
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
    this.keep(messages, false);
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
    this.turnChunks = { modelChars: 0, other: false };
    for (const block of blocks) this.transcript.record({ sessionUpdate: 'user_message_chunk', content: block });
    this.remember({ role: 'user', content: promptText(blocks), ...this.images(blocks) });
    const turnMessages: ChatMessage[] = [];
    try {
      await this.mcp.ready(controller.signal);
      for (const notice of this.mcp.takeNotices()) this.emit({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `${notice}\n\n` } });
      return await runTurn(
        {
          sessionId: this.id,
          cwd: this.cwd,
          mode: this.mode,
          model: this.model,
          host: this.host,
          permissions: this.permissions,
          history: this.history.all,
          extraTools: () => this.mcp.tools(),
          signal: controller.signal,
          emit: (update) => this.emitFromTurn(update),
          nextToolCallId: () => `call-${++this.toolCalls}`,
          options: this.options.turn,
        },
        turnMessages,
      );
    } catch (err) {
      if (controller.signal.reason instanceof RpcError) throw controller.signal.reason;
      if (controller.signal.aborted || isAbortError(err)) return 'cancelled';
      throw modelFailure(this.model.id, err);
    } finally {
      try {
        this.flush(); // the turn's last text goes out before the prompt's answer
      } finally {
        this.keep(turnMessages, this.answerStreamed(turnMessages));
        this.running = undefined;
      }
    }
  }

  /** An update the host adds about the turn (a permission question and its answer), kept in the transcript too. */
  note(update: SessionUpdate): void {
    this.emit(update);
  }

  /** An answer of the agent itself (a slash command's), kept in the transcript like the model's. */
  say(text: string): void {
    this.emit({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } });
  }

  /** Ends the running turn, if any: the model stream and every pending client request; the prompt answers `cancelled`. */
  cancel(): void {
    this.running?.abort(new Error('cancelled'));
  }

  /** Ends the running turn with `error` instead of `cancelled` (the server can no longer keep its output). */
  fail(error: RpcError): void {
    this.running?.abort(error);
  }

  /** The prompt's images if the model takes them; otherwise the answer starts by saying they were left out. */
  private images(blocks: ContentBlock[]): { images?: ImageData[] } {
    const images = blocks.flatMap((b) => (b.type === 'image' ? [{ data: b.data, mimeType: b.mimeType }] : []));
    if (images.length === 0) return {};
    if (this.model.acceptsImages) return { images };
    const text = `*The model ${this.model.id} cannot see images, so it got only the text of your message.*\n\n`;
    this.emit({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } });
    return {};
  }

  /** Ends the session for good: the running turn and every MCP server of the session. */
  async close(): Promise<void> {
    this.cancel();
    await this.mcp.close();
  }

  /** Sends the turn's held text chunks now: the host calls it before anything else it sends the client. */
  flush(): void {
    this.chunks.flush();
  }

  /** Adds messages to the history and tells the host (`streamed`: see AgentHost.remember). */
  private keep(messages: ChatMessage[], streamed: boolean): void {
    this.history.push(...messages);
    this.host.remember?.(messages, streamed);
  }

  /** Whether the turn's first message is its plain answer and exactly the model text its message chunks carried. */
  private answerStreamed([first]: readonly ChatMessage[]): boolean {
    const { modelChars, other } = this.turnChunks;
    return !other && first?.role === 'assistant' && first.toolCalls === undefined && first.content.length > 0 && first.content.length === modelChars;
  }

  private emitFromTurn(update: SessionUpdate): void {
    const chunk = plainTextChunk(update);
    if (!chunk) return this.emit(update);
    if (chunk.kind === 'agent_message_chunk') this.turnChunks.modelChars += chunk.text.length;
    this.chunks.push(chunk.kind, chunk.text);
  }

  /** An update that is not the model's streamed text. */
  private emit(update: SessionUpdate): void {
    if (update.sessionUpdate === 'agent_message_chunk') this.turnChunks.other = true;
    this.send(update);
  }

  private send(update: SessionUpdate): void {
    this.chunks.flush();
    if (update.sessionUpdate === 'usage_update') this.lastUsage = { used: update.used, size: update.size };
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
