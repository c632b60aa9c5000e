/**
 * One session as the server holds it: its agent, the numbered outbound events (replay buffer, durable log),
 * the agent→client requests and prompt outcomes that wait for a resuming connection, and the tokens and
 * connections that may (or may no longer) attach to it. The store that owns it is seen only through
 * `SessionHome`, so this file does not depend on the store.
 */
import type { AgentHost } from '../agent/host';
import { AgentSession, type AgentSessionOptions } from '../agent/session';
import type { ChatMessage, ChatModel } from '../agent/models/types';
import { Methods, type ClientCapabilities, type SessionUpdate } from '../protocol/acp';
import type { RequestId } from '../protocol/jsonrpc';
import { META_SEQ, PROMPT_FINISHED, type PromptStatus } from '../protocol/punie';
import type { DurableStore, StoredRecord } from '../store/types';
import type { Logger } from '../util/logger';
import type { ClientLink } from './clientLink';
import { OutboundRequests } from './outboundRequests';
import { recordedPermission } from './permissionRecord';
import { PromptLog } from './promptLog';
import { ReplayBuffer, type ReplayResult } from './replay';

/** Session updates Punie's Python clients do not know: they are not sent to them. */
const NEWER_UPDATES = new Set<SessionUpdate['sessionUpdate']>(['available_commands_update', 'config_option_update', 'usage_update']);

export interface SessionStoreOptions {
  gracePeriodMs: number;
  cleanupIntervalMs: number;
  replayMaxUpdates: number;
  replayMaxBytes: number;
  now: () => number;
  logger: Logger;
  /** History, transcript and turn limits of each session's agent (defaults when absent). */
  agent?: AgentSessionOptions;
}

/**
 * The turn of a session that runs on another server of the fleet, as the server holding its client sees
 * it (see fleet.ts): cancels go there, and the client's (re)attachment is announced there.
 */
export interface RemoteTurn {
  /** Set once that turn ended and the session is moving to this server. */
  readonly moving: Promise<void> | undefined;
  attached(): void;
  /** Resolves once events through `seq` were relayed (or it gave up waiting). */
  caughtUp(seq: number): Promise<void>;
  cancel(): void;
  stop(): void;
}

/** Makes the model of a restored session from its stored model string. */
export type ModelFactory = (spec: string) => ChatModel;

/** What a session needs of the store that holds it. */
export interface SessionHome {
  readonly durable: DurableStore | undefined;
  linkOf(clientId: string): ClientLink | undefined;
}

export class ServerSession implements AgentHost {
  readonly agent: AgentSession;
  readonly replay: ReplayBuffer;
  readonly outbound = new OutboundRequests();
  readonly prompts = new PromptLog();
  seq = 0;
  /** The token the client last resumed with stays valid until it resumes with the newer one: the answer carrying that may have been lost. */
  previousToken: string | undefined;
  updatedAt: number;
  title: string | undefined;
  /** Connections a newer connection of the same user took this session from; they are refused. */
  readonly displaced = new Set<string>();
  /** Tokens of displaced clients: their automatic resume is told the session was taken, not that the token is wrong. */
  readonly retiredTokens: string[] = [];
  /**
   * False for a session restored from the store until its first attach: tokens are not stored, so the token
   * a Punie client held before the restart is accepted once (the connection's user already proves ownership).
   */
  tokensKnown = true;
  /** Set while this session's turn runs on another server: this copy relays it (its own agent stays idle). */
  remote: RemoteTurn | undefined;
  /** While a reload replays the transcript, live events wait here (numbered, and kept for replay as always) to follow it. */
  private held: { method: string; params: unknown }[] | undefined;
  /** Length of the start of every update frame of this session, up to the update's JSON text. */
  private readonly framePrefixLength: number;

  constructor(
    readonly id: string,
    readonly cwd: string,
    readonly owner: string,
    /** The connection the session is attached to (it may have dropped and be waiting for a resume). */
    public attachedTo: string | undefined,
    public token: string,
    model: ChatModel,
    private readonly store: SessionHome,
    options: SessionStoreOptions,
  ) {
    this.replay = new ReplayBuffer(options.replayMaxUpdates, options.replayMaxBytes);
    this.framePrefixLength = `{"jsonrpc":"2.0","method":"${Methods.sessionUpdate}","params":{"sessionId":${JSON.stringify(id)},"update":`.length;
    this.updatedAt = options.now();
    this.agent = new AgentSession(id, cwd, model, this, options.agent, options.logger);
  }

  private get link(): ClientLink | undefined {
    return this.attachedTo === undefined ? undefined : this.store.linkOf(this.attachedTo);
  }

  /**
   * The per-chunk path. The update is serialised once: the frame is the message's JSON text, and the log
   * line takes the update's text out of it (a slice, not a copy) — what JSON.stringify of the record gives.
   */
  emit(update: SessionUpdate): void {
    // An update of the server's own (mode, title, options) follows the text the model produced before it.
    this.agent.flush();
    if (NEWER_UPDATES.has(update.sessionUpdate) && this.link?.legacyClient) return;
    const seq = ++this.seq;
    const numbered = { sessionId: this.id, update, _meta: { [META_SEQ]: seq } };
    const durable = this.store.durable;
    // Not made for a client that is away or behind: its queue merges chunks and makes frames of its own.
    const frame = durable || this.link?.flowing ? JSON.stringify({ jsonrpc: '2.0', method: Methods.sessionUpdate, params: numbered }) : undefined;
    if (durable && frame) {
      const json = frame.slice(this.framePrefixLength, frame.length - `,"_meta":{"${META_SEQ}":${seq}}}}`.length);
      durable.append(this.id, { k: 'u', s: seq, u: update }, `{"k":"u","s":${seq},"u":${json}}`);
    }
    this.deliver(seq, Methods.sessionUpdate, numbered, estimateBytes(update), frame);
  }

  /** Numbers an outbound session event other than an update, keeps it for replay and on disk, and sends it if the client is connected. */
  send(method: string, params: Record<string, unknown>, bytes: number): void {
    this.agent.flush();
    const seq = ++this.seq;
    this.store.durable?.append(this.id, { k: 'e', s: seq, m: method, p: params });
    this.deliver(seq, method, { ...params, _meta: { ...(params._meta as object | undefined), [META_SEQ]: seq } }, bytes);
  }

  /** An event the server running this session's turn numbered and stored (fleet relay): kept and sent as if emitted here. */
  relayed(event: { seq: number; method: string; params: Record<string, unknown> }): void {
    this.seq = event.seq;
    const update = event.method === Methods.sessionUpdate ? (event.params.update as SessionUpdate) : undefined;
    // Announcements (commands, config, usage) are no part of the conversation, as when restored.
    if (update && !NEWER_UPDATES.has(update.sessionUpdate)) this.agent.relayed(update);
    this.deliver(event.seq, event.method, event.params, update ? estimateBytes(update) : 200);
  }

  /** Takes over the tokens and the attachment of the copy this session replaces (the relayed turn ended, it moved here). */
  adopt(copy: ServerSession): void {
    this.token = copy.token;
    this.previousToken = copy.previousToken;
    this.tokensKnown = copy.tokensKnown;
    this.attachedTo = copy.attachedTo;
    for (const id of copy.displaced) this.displaced.add(id);
    this.retiredTokens.push(...copy.retiredTokens);
  }

  /** One replay entry, and the frame to the client (or held behind a reload). */
  private deliver(seq: number, method: string, numbered: Record<string, unknown>, bytes: number, frame?: string): void {
    this.replay.push({ seq, method, params: numbered, bytes });
    if (this.held) this.held.push({ method, params: numbered });
    else this.link?.notify(method, numbered, frame);
  }

  /**
   * Writes down messages added to the model's history. A turn's plain answer is in the log already, as the
   * text of the turn's message chunks: its history record says so (`answer`) instead of holding the answer a
   * second time, which halves what a turn end must write and fsync. The agent says which answer that is
   * (`streamed`, see AgentHost). Anything else is written as it is.
   */
  remember(messages: readonly ChatMessage[], streamed: boolean): void {
    const durable = this.store.durable;
    if (!durable || messages.length === 0) return;
    const [, ...rest] = messages;
    durable.append(this.id, streamed ? { k: 'history', answer: true, msgs: rest } : { k: 'history', msgs: [...messages] });
  }

  /** Writes down a record that is not a numbered event (prompt, turn end, title, mode). */
  record(record: Exclude<StoredRecord, { k: 'meta' | 'u' | 'e' | 'history' }>): void {
    this.store.durable?.append(this.id, record);
  }

  /** Makes what was recorded durable (a turn ended). */
  async sync(): Promise<void> {
    await this.store.durable?.sync(this.id);
  }

  /**
   * Sends what `replay` yields (a transcript, at the client's pace) with the live events of a running turn
   * held back meanwhile, then those events: the client sees the transcript first and every event once.
   */
  async sendBefore(replay: () => Promise<void>): Promise<void> {
    this.held = [];
    try {
      await replay();
    } finally {
      const held = this.held;
      this.held = undefined;
      const link = this.link;
      for (const event of held) link?.notify(event.method, event.params);
    }
  }

  /** Waits through a dropped connection: the request is sent again to the connection that resumes. A permission question and its answer are written down. */
  request<T>(method: string, params: unknown, signal: AbortSignal): Promise<T> {
    this.agent.flush();
    const ask = () => this.outbound.request<T>(method, params, signal, this.link);
    return method === Methods.requestPermission ? recordedPermission(params, signal, ask, (update) => this.agent.note(update)) : ask();
  }

  /** An agent request of a turn another server runs (fleet relay): asked the same way, written down over there. */
  requestRelayed<T>(method: string, params: unknown, signal: AbortSignal): Promise<T> {
    return this.outbound.request<T>(method, params, signal, this.link);
  }

  /**
   * Records how a prompt ended. When the connection that sent it is no longer the session's (it dropped,
   * or another one resumed the session), its answer cannot arrive, so the outcome also goes out, numbered
   * and kept for replay, as a {@link PROMPT_FINISHED} notification.
   */
  promptEnded(requestId: RequestId, requester: ClientLink | undefined, status: PromptStatus & { status: 'finished' | 'failed' }): void {
    this.prompts.ended(requestId, status);
    if (requester && this.link === requester) return;
    const outcome = status.status === 'finished' ? { stopReason: status.stopReason } : { error: status.error };
    this.send(PROMPT_FINISHED, { sessionId: this.id, requestId, ...outcome }, 200);
  }

  /**
   * Ends the session: the running turn is cancelled and waiting agent→client requests fail with `reason`;
   * resolves once its MCP servers have stopped.
   */
  close(reason: string): Promise<void> {
    this.remote?.stop();
    const closed = this.agent.close();
    this.outbound.failAll(`session ${this.id} ${reason}`);
    return closed;
  }

  clientCapabilities(): ClientCapabilities {
    return this.link?.capabilities ?? {};
  }

  replaySince(lastSeq: number): ReplayResult {
    if (lastSeq > this.seq) return { ok: false, reason: `the server restarted and lost updates after ${this.seq}` };
    return this.replay.since(lastSeq);
  }
}

/** Cheap size estimate for replay accounting, avoiding a second JSON.stringify on the hot path. */
export function estimateBytes(update: SessionUpdate): number {
  if ((update.sessionUpdate === 'agent_message_chunk' || update.sessionUpdate === 'agent_thought_chunk') && update.content.type === 'text') {
    return update.content.text.length * 2 + 160;
  }
  return JSON.stringify(update).length + 120;
}
