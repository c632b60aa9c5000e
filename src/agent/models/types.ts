/** The one streaming interface every model implements (test, OpenAI-compatible, VS Code LM). */

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface ToolCallRequest {
  id: string;
  name: string;
  /** The raw JSON text of the arguments, as the model produced it. */
  arguments: string;
}

/** An image of a prompt, base64 as ACP sends it. */
export interface ImageData {
  data: string;
  mimeType: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; images?: ImageData[] }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; content: string };

export type ModelEvent =
  | { type: 'text'; text: string }
  | { type: 'thought'; text: string }
  | { type: 'tool_call'; call: ToolCallRequest }
  /** The model stopped early: it hit its output limit, or refused (content filter, refusal text). */
  | { type: 'finish'; reason: 'max_tokens' | 'refusal' }
  /** Tokens of the request (the context so far) and of the answer, as the model reported them; `contextSize` when its server told. */
  | { type: 'usage'; inputTokens: number; outputTokens: number; contextSize?: number };

export interface ModelRequest {
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  signal: AbortSignal;
}

export interface ChatModel {
  /** The model string it was made from, e.g. `test` or `ollama:llama3.2`. */
  readonly id: string;
  /** Context window in tokens, when known (shown as used / size). */
  readonly contextSize?: number;
  /** Whether user images are passed to the model; false: the turn says so and sends the text alone. */
  readonly acceptsImages?: boolean;
  /** Must end promptly (throwing an AbortError) once `request.signal` aborts; ModelRegistry guards models it does not trust to. */
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}

/** Thrown by a model with a message a user can act on ("cannot reach Ollama at … — is `ollama serve` running?"). */
/** Makes the model a model string names; registered by the part before its first `:` or `?`. */
export type ModelFactory = (spec: string) => ChatModel;

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}
