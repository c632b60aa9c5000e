/**
 * The `id` and `method` of a JSON-RPC message read from the start of its text alone, for a message too
 * large to parse: its sender still gets an error under the right id instead of waiting forever.
 */
import type { RequestId } from '../protocol/jsonrpc';

export interface Envelope {
  id?: RequestId;
  method?: string;
}

/** Strings (complete ones only), structural characters, and any other run of value characters. */
const TOKEN = /\s*("(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s"{}[\]:,]+)/y;

/** Top-level `"id"` and `"method"` members found in `head`; nested ones and cut-off values are ignored. */
export function peekEnvelope(head: string): Envelope {
  const found: Envelope = {};
  let depth = 0;
  let before: string | undefined;
  let last: string | undefined;
  // A number at the very end of the head may be cut off (`12` of `123`): it counts once a token follows.
  let numericId: string | undefined;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(head); match; match = TOKEN.exec(head)) {
    const token = match[1];
    if (numericId !== undefined) setId(found, parseId(numericId));
    numericId = undefined;
    if (depth === 1 && last === ':' && before?.startsWith('"')) {
      const key = parseString(before);
      if (key === 'id' && token.startsWith('"')) setId(found, parseId(token));
      else if (key === 'id') numericId = token;
      else if (key === 'method' && token.startsWith('"')) found.method = parseString(token);
    }
    if (token === '{' || token === '[') depth++;
    else if (token === '}' || token === ']') depth--;
    before = last;
    last = token;
  }
  return found;
}

function setId(found: Envelope, id: RequestId | undefined): void {
  if (id !== undefined) found.id = id;
}

function parseString(token: string): string | undefined {
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseId(token: string): RequestId | undefined {
  if (token.startsWith('"')) {
    const value = parseString(token);
    return value !== undefined && value.length <= 256 ? value : undefined;
  }
  const n = Number(token);
  return /^-?\d+$/.test(token) && Number.isSafeInteger(n) ? n : undefined;
}
