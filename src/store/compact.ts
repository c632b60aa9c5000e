/**
 * Compaction of a session log: the text chunks of each message of a finished turn are merged into one
 * record (keeping the first seq and the last as `to`), so loading a long session reads a few records, not
 * thousands. Only turns that ended before `before` are touched: a client that may still resume seq by seq
 * (within the resume grace) finds every record it needs.
 */
import type { StoredRecord, UpdateRecord } from './types';

/** Above this a merged chunk starts a new record (keeps single lines reasonable). */
const MAX_MERGED_CHARS = 256 * 1024;

export function compactRecords(records: readonly StoredRecord[], before: number): StoredRecord[] {
  const ends = finishedTurnEnds(records, before);
  const out: StoredRecord[] = [];
  let inOldTurn = false;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.k === 'prompt') inOldTurn = ends.has(nextTurnEnd(records, i));
    else if (r.k === 'turn_end') inOldTurn = false;
    const last = out[out.length - 1];
    if (inOldTurn && r.k === 'u' && last?.k === 'u' && mergeable(last, r)) {
      out[out.length - 1] = merge(last, r);
      continue;
    }
    out.push(r);
  }
  return out;
}

/** How many records compaction would save (cheap enough to decide whether to rewrite). */
export function savings(records: readonly StoredRecord[], before: number): number {
  return records.length - compactRecords(records, before).length;
}

function finishedTurnEnds(records: readonly StoredRecord[], before: number): Set<number> {
  const ends = new Set<number>();
  records.forEach((r, i) => {
    if (r.k === 'turn_end' && r.ts < before) ends.add(i);
  });
  return ends;
}

function nextTurnEnd(records: readonly StoredRecord[], from: number): number {
  for (let i = from + 1; i < records.length; i++) {
    const k = records[i].k;
    if (k === 'turn_end') return i;
    if (k === 'prompt') return -1;
  }
  return -1;
}

type TextChunk = UpdateRecord & { u: { sessionUpdate: 'agent_message_chunk' | 'agent_thought_chunk'; content: { type: 'text'; text: string } } };

function isTextChunk(r: UpdateRecord): r is TextChunk {
  return (r.u.sessionUpdate === 'agent_message_chunk' || r.u.sessionUpdate === 'agent_thought_chunk') && r.u.content.type === 'text';
}

function mergeable(a: UpdateRecord, b: UpdateRecord): boolean {
  return isTextChunk(a) && isTextChunk(b) && a.u.sessionUpdate === b.u.sessionUpdate && a.u.content.text.length + b.u.content.text.length <= MAX_MERGED_CHARS;
}

function merge(a: UpdateRecord, b: UpdateRecord): UpdateRecord {
  const left = a as TextChunk;
  const right = b as TextChunk;
  return { k: 'u', s: a.s, to: b.to ?? b.s, u: { ...left.u, content: { ...left.u.content, text: left.u.content.text + right.u.content.text } } };
}
