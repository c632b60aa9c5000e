/**
 * Which models a client may pick for its sessions: only what the operator allows. A model string can name
 * any URL (`local:http://10.0.0.5:6379/v1/x`), so a free choice would let any client make the server call
 * arbitrary addresses (SSRF) and read back a piece of the answer in the error.
 */
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { ServerOptions } from './options';

/** The built-in models, which call nothing: always allowed. */
const BUILT_IN = ['test', 'test?*', 'test:tools', 'test:tools?*'];

export function allowedModelPatterns(options: Pick<ServerOptions, 'model' | 'allowedModels'>): readonly string[] {
  const configured = typeof options.allowedModels === 'function' ? options.allowedModels() : options.allowedModels;
  return configured.length > 0 ? [...configured, ...BUILT_IN] : [options.model, ...BUILT_IN];
}

/** Throws -32602 when a client asks for a model the operator did not allow. */
export function ensureModelAllowed(spec: string, options: Pick<ServerOptions, 'model' | 'allowedModels'>): void {
  if (spec === options.model) return;
  if (allowedModelPatterns(options).some((pattern) => matches(pattern, spec))) return;
  throw new RpcError(
    ErrorCodes.InvalidParams,
    `model "${spec.slice(0, 200)}" is not allowed on this server; the operator allows other models with punie serve --allow-model`,
  );
}

/** `*` matches any run of characters; everything else is literal. */
function matches(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  if (!value.startsWith(parts[0]) || !value.endsWith(parts[parts.length - 1])) return false;
  let at = parts[0].length;
  const end = value.length - parts[parts.length - 1].length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return at <= end;
}
