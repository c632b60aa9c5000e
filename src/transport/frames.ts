/**
 * Classifies one decoded JSON-RPC frame. Everything a peer may send is answered: a frame that is not
 * a valid message yields the error to send back, never a silent drop or a torn-down socket.
 */
import type { Message, NotificationMessage, RequestMessage, ResponseMessage } from 'vscode-jsonrpc';
import { ErrorCodes, describeRequest, type JsonRpcErrorObject, type RequestId } from '../protocol/jsonrpc';
import { MAX_ID_LENGTH, MAX_JSON_DEPTH, MAX_METHOD_LENGTH, exceedsDepth } from './jsonLimits';

export type Decoded =
  | { kind: 'message'; message: Message }
  | { kind: 'invalid'; id: RequestId | null; error: JsonRpcErrorObject }
  | { kind: 'empty' };

const isId = (v: unknown): v is RequestId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

export function decodeFrame(text: string): Decoded {
  if (text.trim() === '') return { kind: 'empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', id: null, error: { code: ErrorCodes.ParseError, message: `Parse error: ${(e as Error).message}` } };
  }
  return classify(value);
}

export function classify(value: unknown): Decoded {
  if (Array.isArray(value)) {
    return invalid(null, 'Invalid request: JSON-RPC batches are not supported by ACP; send one message per frame');
  }
  if (value === null || typeof value !== 'object') {
    return invalid(null, `Invalid request: expected a JSON-RPC object, got ${value === null ? 'null' : typeof value}`);
  }
  const msg = value as Record<string, unknown>;
  const id = msg.id;
  if (id !== undefined && id !== null && !isId(id)) {
    return invalid(null, `Invalid request: "id" must be a string or a number, got ${typeof id}`);
  }
  if (typeof id === 'string' && id.length > MAX_ID_LENGTH) {
    return invalid(null, `Invalid request: "id" is longer than ${MAX_ID_LENGTH} characters`);
  }
  if ('method' in msg) {
    if (typeof msg.method !== 'string' || msg.method === '') {
      return invalid(id ?? null, 'Invalid request: "method" must be a non-empty string');
    }
    if (msg.method.length > MAX_METHOD_LENGTH) {
      return invalid(id ?? null, `Invalid request: "method" is longer than ${MAX_METHOD_LENGTH} characters`);
    }
    if (exceedsDepth(msg)) {
      return invalid(id ?? null, `Invalid request: ${describeRequest(msg.method, id as RequestId | undefined)} nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const params = msg.params;
    if (params !== undefined && params !== null && typeof params !== 'object') {
      return invalid(id ?? null, `Invalid request: "params" of ${msg.method} must be an object, got ${typeof params}`);
    }
    const base = { jsonrpc: '2.0', method: msg.method, params: params ?? undefined };
    // Punie treats `"id": null` like a missing id: a notification.
    if (id === undefined || id === null) return { kind: 'message', message: base as NotificationMessage };
    return { kind: 'message', message: { ...base, id } as RequestMessage };
  }
  if (exceedsDepth(msg)) {
    // Only a request is answered under its own id; a bad response is reported with id null.
    return invalid(null, `Invalid response: objects and arrays are nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if ('result' in msg || 'error' in msg) {
    if (id === undefined) return invalid(null, 'Invalid response: "id" is missing');
    return { kind: 'message', message: { jsonrpc: '2.0', id, result: msg.result, error: msg.error } as ResponseMessage };
  }
  return invalid(id ?? null, 'Invalid request: a JSON-RPC message needs "method", "result" or "error"');
}

function invalid(id: RequestId | null, message: string): Decoded {
  return { kind: 'invalid', id, error: { code: ErrorCodes.InvalidRequest, message } };
}
