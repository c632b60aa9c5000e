/**
 * Reads a stored session log back into what a server session holds: the model's history, the transcript
 * `session/load` replays, the numbered events a resume may still need, how recent prompts ended, and the
 * turn that was running when the server died (no `turn_end`), whose partial answer is kept.
 */
import type { ChatMessage } from '../agent/models/types';
import type { SessionUpdate } from '../protocol/acp';
import { Methods } from '../protocol/acp';
import type { RequestId } from '../protocol/jsonrpc';
import type { PromptStatus } from '../protocol/punie';
import type { MetaRecord, StoredRecord } from '../store/types';

export interface NumberedEvent {
  seq: number;
  method: string;
  params: Record<string, unknown>;
}

const ANNOUNCEMENTS = new Set<string>(['available_commands_update', 'config_option_update', 'usage_update']);

export interface RestoredState {
  meta: MetaRecord;
  title: string | undefined;
  mode: string;
  /** The model last chosen (session/set_config_option), else the one it was created with. */
  model: string;
  history: ChatMessage[];
  transcript: SessionUpdate[];
  /** Events after the last compacted (merged) record, in order: a resume from there replays seq by seq. */
  events: NumberedEvent[];
  /** Highest seq before `events` that a resume cannot get seq by seq (merged by compaction). */
  lostThrough: number;
  seq: number;
  prompts: [RequestId, PromptStatus][];
  /** The prompt that was running when the server stopped. */
  interrupted: { rid: RequestId | undefined; partial: string } | undefined;
}

export function restoredState(records: readonly StoredRecord[]): RestoredState {
  const meta = records[0] as MetaRecord;
  const state: RestoredState = { meta, title: undefined, mode: 'default', model: meta.model, history: [], transcript: [], events: [], lostThrough: 0, seq: 0, prompts: [], interrupted: undefined };
  let open: { rid: RequestId | undefined; partial: string } | undefined;
  for (const r of records) {
    switch (r.k) {
      case 'prompt':
        for (const content of r.blocks) state.transcript.push({ sessionUpdate: 'user_message_chunk', content });
        open = { rid: r.rid, partial: '' };
        if (r.rid !== undefined) state.prompts.push([r.rid, { status: 'running' }]);
        break;
      case 'u':
        // Commands, config and usage are announced again to whoever attaches; they are no part of the conversation.
        if (!ANNOUNCEMENTS.has(r.u.sessionUpdate)) state.transcript.push(r.u);
        if (open && r.u.sessionUpdate === 'agent_message_chunk' && r.u.content.type === 'text') open.partial += r.u.content.text;
        number(state, r.to, eventOf(meta.id, r));
        break;
      case 'e':
        number(state, undefined, eventOf(meta.id, r));
        break;
      case 'history':
        if (r.answer) state.history.push({ role: 'assistant', content: open?.partial ?? '' });
        state.history.push(...r.msgs);
        break;
      case 'turn_end':
        if (r.rid !== undefined) {
          const status: PromptStatus = r.error ? { status: 'failed', error: r.error } : { status: 'finished', stopReason: r.stopReason ?? 'end_turn' };
          state.prompts.push([r.rid, status]);
        }
        open = undefined;
        break;
      case 'info':
        if (r.title !== undefined) state.title = r.title;
        if (r.mode !== undefined) state.mode = r.mode;
        if (r.model !== undefined) state.model = r.model;
        break;
      default:
        break;
    }
  }
  state.interrupted = open;
  return state;
}

/** The event a numbered record stands for, as its server sent it; undefined for the other records. */
export function eventOf(sessionId: string, r: StoredRecord): NumberedEvent | undefined {
  if (r.k === 'u') return { seq: r.s, method: Methods.sessionUpdate, params: { sessionId, update: r.u, _meta: { seq: r.s } } };
  if (r.k === 'e') return { seq: r.s, method: r.m, params: { ...r.p, _meta: { ...(r.p._meta as object | undefined), seq: r.s } } };
  return undefined;
}

function number(state: RestoredState, to: number | undefined, event: NumberedEvent | undefined): void {
  if (!event) return;
  const last = to ?? event.seq;
  state.seq = Math.max(state.seq, last);
  if (to !== undefined) {
    state.events = [];
    state.lostThrough = last;
    return;
  }
  state.events.push(event);
}
