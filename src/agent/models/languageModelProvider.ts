/**
 * The contract between the plain-Node agent and VS Code's Language Model API. The extension implements it
 * with `vscode.lm` (src/extension/languageModel.ts) and registers it; the agent never imports `vscode`.
 * Messages are already shaped the way that API wants them: user/assistant only, tool calls as parts of an
 * assistant message, tool results as parts of a user message.
 */
import type { ToolSpec } from './types';

export type LmPart =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; callId: string; name: string; input: object }
  | { type: 'tool_result'; callId: string; text: string }
  | { type: 'image'; data: string; mimeType: string };

export interface LmMessage {
  role: 'user' | 'assistant';
  parts: LmPart[];
}

export type LmResponsePart = { type: 'text'; text: string } | { type: 'tool_call'; callId: string; name: string; input: unknown };

export interface LmRequest {
  /** Model family to use (`gpt-4o`, `claude-3.5-sonnet`, …); any available chat model when undefined. */
  family?: string;
  messages: LmMessage[];
  tools: readonly ToolSpec[];
  signal: AbortSignal;
}

/** Error codes of `vscode.LanguageModelError`, plus `NoModel` when no chat model matches. */
export type LmErrorCode = 'NoModel' | 'NotFound' | 'NoPermissions' | 'Blocked' | 'Unknown';

export class LanguageModelProviderError extends Error {
  constructor(
    readonly code: LmErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LanguageModelProviderError';
  }
}

export interface LanguageModelProvider {
  /** Sends one chat request; throws LanguageModelProviderError when it cannot be made. */
  send(request: LmRequest): Promise<AsyncIterable<LmResponsePart>>;
  /** The chat models VS Code offers now. */
  models(): Promise<{ family: string; name: string; maxInputTokens: number }[]>;
  /** Whether this VS Code can pass images to a model at all (newer versions only). */
  readonly imagesSupported: boolean;
}
