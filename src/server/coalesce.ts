/**
 * Coalescing of queued text chunks for a slow client. Only plain `agent_message_chunk` /
 * `agent_thought_chunk` text updates qualify (no extra fields that a merge could lose); a run of them of
 * one session and kind becomes one update whose text is the concatenation and whose `_meta.seq` is the
 * last one's — clients treat seq as a high-water mark, so the skipped numbers are not gaps in content.
 * Runs stop at `MAX_CHUNK_TEXT`, which keeps every coalesced frame under 1 MiB even when fully escaped.
 * The original messages are never mutated: the same objects sit in the session's replay buffer.
 */
import type { Message } from 'vscode-jsonrpc';
import { MAX_CHUNK_TEXT } from '../agent/text';
import { Methods } from '../protocol/acp';

type ChunkKind = 'agent_message_chunk' | 'agent_thought_chunk';

export interface TextChunk {
  sessionId: string;
  kind: ChunkKind;
  messageId: unknown;
  text: string;
  meta: Record<string, unknown> | undefined;
}

export interface ChunkRun {
  sessionId: string;
  kind: ChunkKind;
  messageId: unknown;
  pieces: string[];
  length: number;
  /** `_meta` of the latest chunk in the run: it carries the highest seq. */
  meta: Record<string, unknown> | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (v: Record<string, unknown>, allowed: readonly string[]) => Object.keys(v).every((k) => allowed.includes(k));

/** The message as a coalescible text chunk, or undefined if it must travel as it is. */
export function textChunkOf(message: Message): TextChunk | undefined {
  const m = message as { id?: unknown; method?: unknown; params?: unknown };
  if (m.method !== Methods.sessionUpdate || m.id !== undefined || !isRecord(m.params)) return undefined;
  const { sessionId, update, _meta: meta } = m.params;
  if (typeof sessionId !== 'string' || !isRecord(update) || !onlyKeys(m.params, ['sessionId', 'update', '_meta'])) return undefined;
  if (meta !== undefined && !(isRecord(meta) && onlyKeys(meta, ['seq']))) return undefined;
  const kind = update.sessionUpdate;
  if ((kind !== 'agent_message_chunk' && kind !== 'agent_thought_chunk') || !onlyKeys(update, ['sessionUpdate', 'content', 'messageId'])) return undefined;
  const content = update.content;
  if (!isRecord(content) || content.type !== 'text' || typeof content.text !== 'string' || !onlyKeys(content, ['type', 'text'])) return undefined;
  return { sessionId, kind, messageId: update.messageId, text: content.text, meta };
}

export function startRun(chunk: TextChunk): ChunkRun {
  return { sessionId: chunk.sessionId, kind: chunk.kind, messageId: chunk.messageId, pieces: [chunk.text], length: chunk.text.length, meta: chunk.meta };
}

/** Appends `chunk` to `run` if it belongs there and fits; returns whether it did. */
export function joinRun(run: ChunkRun, chunk: TextChunk): boolean {
  if (run.sessionId !== chunk.sessionId || run.kind !== chunk.kind || run.messageId !== chunk.messageId) return false;
  if (run.length + chunk.text.length > MAX_CHUNK_TEXT) return false;
  run.pieces.push(chunk.text);
  run.length += chunk.text.length;
  run.meta = chunk.meta;
  return true;
}

/** The run as one `session/update` notification. */
export function runMessage(run: ChunkRun): Message {
  const update: Record<string, unknown> = { sessionUpdate: run.kind, content: { type: 'text', text: run.pieces.join('') } };
  if (run.messageId !== undefined) update.messageId = run.messageId;
  const params: Record<string, unknown> = { sessionId: run.sessionId, update };
  if (run.meta !== undefined) params._meta = run.meta;
  return { jsonrpc: '2.0', method: Methods.sessionUpdate, params } as Message;
}
