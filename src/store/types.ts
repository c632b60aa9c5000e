/**
 * The one interface every session store implements (JSONL files today, Redis later): a session's metadata,
 * the agent's model history and the seq-numbered event log that replay and `session/load` read. Records
 * are appended in order and read back in order; a store never needs to understand them beyond `k`.
 */
import type { ContentBlock, SessionUpdate } from '../protocol/acp';
import type { ChatMessage } from '../agent/models/types';
import type { RequestId } from '../protocol/jsonrpc';

export const STORE_VERSION = 1;

/** The first record of every session. */
export interface MetaRecord {
  k: 'meta';
  v: number;
  id: string;
  owner: string;
  cwd: string;
  model: string;
  createdAt: number;
}

/** A prompt as the user sent it (`rid`: its JSON-RPC request id, for the client that waits on it). */
export interface PromptRecord {
  k: 'prompt';
  ts: number;
  rid?: RequestId;
  blocks: ContentBlock[];
}

/** A numbered `session/update`; `to` is set when compaction merged seq..to into this one. */
export interface UpdateRecord {
  k: 'u';
  s: number;
  to?: number;
  u: SessionUpdate;
}

/** Any other numbered session event (e.g. `_punie/prompt_finished`), verbatim. */
export interface EventRecord {
  k: 'e';
  s: number;
  m: string;
  p: Record<string, unknown>;
}

/**
 * Messages appended to the model's history. `answer`: first comes the assistant's answer, whose text is that
 * of the turn's `agent_message_chunk` updates since its prompt record (written once, not twice).
 */
export interface HistoryRecord {
  k: 'history';
  answer?: true;
  msgs: ChatMessage[];
}

/** How a prompt ended; `error.data.kind` tells an interrupted turn from a failed one. */
export interface TurnEndRecord {
  k: 'turn_end';
  ts: number;
  rid?: RequestId;
  stopReason?: string;
  error?: { code: number; message: string; data?: unknown };
}

/** A change of title, mode or model. */
export interface InfoRecord {
  k: 'info';
  ts: number;
  title?: string;
  mode?: string;
  model?: string;
}

export type StoredRecord = MetaRecord | PromptRecord | UpdateRecord | EventRecord | HistoryRecord | TurnEndRecord | InfoRecord;

/** What `session/list` shows, kept in memory by the store. */
export interface SessionSummary {
  id: string;
  owner: string;
  cwd: string;
  model: string;
  title?: string;
  createdAt: number;
  updatedAt: number;
  /** Bytes the session takes in the store. */
  bytes: number;
}

export interface DurableStore {
  /** What /health names: `jsonl` or `redis`. */
  readonly name: string;
  /** False while sessions cannot be written (the shared store is away): /health says degraded, new sessions are refused. */
  readonly available: boolean;
  /** Takes ownership of the store (lock), repairs and indexes what is there, applies retention. */
  open(): Promise<void>;
  /** Every stored session of `owner`, newest first. */
  list(owner: string): SessionSummary[];
  summary(id: string): SessionSummary | undefined;
  /** Starts a session's log with its meta record. */
  create(meta: MetaRecord): void;
  /**
   * Buffers a record; written in batches, durable within about a second. Never throws. `json`, when given, is
   * the record's JSON text, already made by the caller (a streamed update is serialised once).
   */
  append(id: string, record: Exclude<StoredRecord, MetaRecord>, json?: string): void;
  /** Writes what is buffered for `id` (a turn ended): resolved, a `kill -9` cannot lose it. The JSONL store fsyncs right after. */
  sync(id: string): Promise<void>;
  /** Every record of a session, meta first; undefined when it is not stored. */
  load(id: string): Promise<StoredRecord[] | undefined>;
  delete(id: string): Promise<void>;
  /** A store shared with other servers: reads one session's summary again (another server may have just made it). */
  refresh?(id: string): Promise<void>;
  /** A store shared with other servers: the session left this server's memory, another one may take it. */
  release?(id: string): Promise<void>;
  /** Tells other servers where this one listens (the JSONL lock file). */
  announce?(url: string): Promise<void>;
  /** Writes and fsyncs everything, then releases the store. */
  close(): Promise<void>;
}

/** Why a store could not write (reported once per failure episode; the session stays in memory). */
export type StoreErrorListener = (sessionId: string, error: Error) => void;
