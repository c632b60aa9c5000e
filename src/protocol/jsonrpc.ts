/** JSON-RPC 2.0 error codes used on every side of Punie (ACP v1 adds -32000, -32002, -32800). */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  RequestCancelled: -32800,
  AuthRequired: -32000,
  ResourceNotFound: -32002,
  /** Punie extension: the per-connection request rate was exceeded. */
  RateLimited: -32029,
  /** Punie extension: a server limit was reached (sessions per client or per server); `data.limit` names it. */
  LimitExceeded: -32030,
  /** Punie extension: the turn was cut off by a server restart (its partial answer is kept); `data.kind` is `interrupted`. */
  TurnInterrupted: -32031,
  /** Punie extension: a newer connection of the same user opened the session; `data.kind` is `taken`. */
  SessionTaken: -32032,
} as const;

export type RequestId = string | number;

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error that travels as a JSON-RPC error object; its message always names the method and request id. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  static from(value: unknown): RpcError {
    if (value instanceof RpcError) return value;
    if (isErrorObject(value)) return new RpcError(value.code, value.message, value.data);
    return new RpcError(ErrorCodes.InternalError, value instanceof Error ? value.message : String(value));
  }
}

export function isErrorObject(value: unknown): value is JsonRpcErrorObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as JsonRpcErrorObject).code === 'number' &&
    typeof (value as JsonRpcErrorObject).message === 'string'
  );
}

/** Describes a request for error messages: `session/prompt (request id 7)`. */
export function describeRequest(method: string | undefined, id: RequestId | null | undefined): string {
  const idText = id === undefined || id === null ? 'no request id' : `request id ${JSON.stringify(id)}`;
  return method ? `${method} (${idText})` : idText;
}
