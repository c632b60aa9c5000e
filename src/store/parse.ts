/**
 * Reads a session's JSONL bytes back into records, surviving what crashes leave behind (as seen in VS Code's
 * and Claude Code's chat logs): a torn last line, runs of NUL bytes, and a stub line with the next record
 * appended onto it. Damaged text is dropped, whole records are kept, and the caller is told whether the
 * file needs rewriting. A file whose first record is not a meta record is corrupt.
 */
import { STORE_VERSION, type MetaRecord, type StoredRecord } from './types';

export interface ParsedLog {
  records: StoredRecord[];
  /** Something was dropped or split: the file should be rewritten from `records`. */
  damaged: boolean;
  /** Lines (or pieces of lines) that could not be read. */
  dropped: number;
}

const KINDS = new Set(['meta', 'prompt', 'u', 'e', 'history', 'turn_end', 'info']);

export function parseLog(bytes: Buffer): ParsedLog {
  const text = bytes.toString('utf8');
  return parseWhole(text) ?? parseLines(text);
}

/**
 * The common case, a clean log, in one JSON.parse (several times faster than one per line): JSON text
 * never holds a raw newline, so the lines joined by commas are an array exactly when every line is whole.
 */
function parseWhole(text: string): ParsedLog | undefined {
  if (!text.endsWith('\n') || text.includes('\0')) return undefined;
  let values: unknown;
  try {
    values = JSON.parse(`[${text.slice(0, -1).replaceAll('\n', ',')}]`);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || !values.every((v) => isRecordShape(v))) return undefined;
  return { records: values as StoredRecord[], damaged: false, dropped: 0 };
}

function parseLines(text: string): ParsedLog {
  const records: StoredRecord[] = [];
  let damaged = !text.endsWith('\n') && text.length > 0;
  let dropped = 0;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const line = raw.includes('\0') ? raw.replace(/\0+/g, '') : raw;
    if (line !== raw) damaged = true;
    if (line.trim() === '') continue;
    const one = parseRecord(line);
    if (one) {
      records.push(one);
      continue;
    }
    damaged = true;
    // Two records run together: `{…torn{"k":…}` — keep every piece that is a whole record.
    const pieces = line.split(/(?=\{"k":")/);
    for (const piece of pieces) {
      const record = parseRecord(piece);
      if (record) records.push(record);
      else dropped++;
    }
  }
  return { records, damaged, dropped };
}

function parseRecord(line: string): StoredRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return isRecordShape(value) ? value : undefined;
}

function isRecordShape(value: unknown): value is StoredRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const kind = (value as { k?: unknown }).k;
  return typeof kind === 'string' && KINDS.has(kind);
}

export function isMeta(record: StoredRecord | undefined): record is MetaRecord {
  return (
    record?.k === 'meta' &&
    record.v === STORE_VERSION &&
    typeof record.id === 'string' &&
    typeof record.owner === 'string' &&
    typeof record.cwd === 'string' &&
    typeof record.model === 'string' &&
    typeof record.createdAt === 'number'
  );
}

export function serialize(records: readonly StoredRecord[]): string {
  let out = '';
  for (const r of records) out += JSON.stringify(r) + '\n';
  return out;
}
