/**
 * Chat models behind an OpenAI-compatible `/v1/chat/completions` endpoint (Ollama, LM Studio, llama.cpp,
 * vLLM, mlx_lm, OpenAI), streamed through the `openai` SDK. Text, reasoning (`reasoning_content`,
 * `reasoning`, or inline `<think>`) and tool calls whose arguments arrive in pieces become ModelEvents.
 * Never hangs: the SDK's timeout covers connecting and the response headers, our own timer the gaps in
 * the stream, and every failure becomes a ModelError that says what to do.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { abortError } from './abortable';
import { ContextSizes } from './contextSize';
import { describeModelFailure, inactivityError } from './openaiErrors';
import type { OpenAiEndpoint, OpenAiTimeouts } from './openaiSpec';
import { ThinkTagSplitter } from './thinkTags';
import type { ChatMessage, ChatModel, ModelEvent, ModelRequest, ToolCallRequest, ToolSpec } from './types';

export interface OpenAiModelOptions extends OpenAiTimeouts {
  /** Retries of a failed request (connection errors, 408/409/429/5xx), with the SDK's backoff. */
  maxRetries: number;
}

/** Extra delta fields some servers send for reasoning models (vLLM/DeepSeek, Ollama). */
type Delta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null; reasoning?: string | null };

export class OpenAiChatModel implements ChatModel {
  /** Images go as `image_url` parts; a server whose model cannot see them answers with an error that is shown. */
  readonly acceptsImages = true;
  private readonly client: OpenAI;
  /** Start of each failed response's body, keyed by its headers object (the SDK keeps only parsed JSON). */
  private readonly errorBodies = new WeakMap<object, string>();

  constructor(
    readonly id: string,
    private readonly endpoint: OpenAiEndpoint,
    private readonly options: OpenAiModelOptions,
    /** Asks the server how large the model's context is (for the usage shown). */
    private readonly contextSizes = new ContextSizes(),
  ) {
    this.client = new OpenAI({
      apiKey: endpoint.apiKey,
      baseURL: endpoint.baseURL,
      maxRetries: options.maxRetries,
      timeout: options.connectTimeoutMs,
      logLevel: 'off',
      fetch: (url, init) => this.fetch(url, init),
    });
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const controller = new AbortController();
    const forwardAbort = () => controller.abort();
    request.signal.addEventListener('abort', forwardAbort, { once: true });
    let idle = false;
    let streaming = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        idle = true;
        controller.abort();
      }, this.options.inactivityTimeoutMs);
    };
    // Asked alongside the answer, awaited (bounded) only when the usage comes.
    const contextSize = this.contextSizes.of(this.endpoint);
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: this.endpoint.model,
          messages: request.messages.map(toOpenAiMessage),
          ...(request.tools.length ? { tools: request.tools.map(toOpenAiTool) } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: controller.signal },
      );
      streaming = true;
      arm();
      const calls = new ToolCallAccumulator();
      const think = new ThinkTagSplitter();
      let finish: string | null | undefined;
      let refused = false;
      for await (const chunk of stream) {
        arm();
        if (chunk.usage) {
          // Waiting on our own question is not the server's silence.
          clearTimeout(timer);
          const aborted = new Promise<undefined>((resolve) => controller.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
          const size = await Promise.race([contextSize, aborted]);
          arm();
          yield { type: 'usage', inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0, ...(size ? { contextSize: size } : {}) };
        }
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = (choice.delta ?? {}) as Delta;
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (reasoning) yield { type: 'thought', text: reasoning };
        if (delta.content) yield* think.push(delta.content);
        if (delta.refusal) {
          refused = true;
          yield { type: 'text', text: delta.refusal };
        }
        for (const piece of delta.tool_calls ?? []) calls.add(piece);
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      // The SDK ends the iteration quietly when aborted, so check why it ended.
      if (request.signal.aborted) throw abortError(request.signal);
      if (idle) throw inactivityError(this.endpoint, this.options);
      yield* think.flush();
      for (const call of calls.finish()) yield { type: 'tool_call', call };
      if (refused || finish === 'content_filter') yield { type: 'finish', reason: 'refusal' };
      else if (finish === 'length') yield { type: 'finish', reason: 'max_tokens' };
    } catch (err) {
      if (request.signal.aborted) throw abortError(request.signal);
      if (idle) throw inactivityError(this.endpoint, this.options);
      throw describeModelFailure(err, this.endpoint, this.options, this.errorBodies, streaming);
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', forwardAbort);
      controller.abort();
    }
  }

  private async fetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
    const response = await fetch(url, init);
    if (!response.ok) {
      const body = await response
        .clone()
        .text()
        .catch(() => '');
      this.errorBodies.set(response.headers, body.slice(0, 2000));
    }
    return response;
  }
}

/** Collects streamed tool calls by index: the id and name come once, the arguments in many pieces. */
class ToolCallAccumulator {
  private readonly calls = new Map<number, ToolCallRequest>();

  add(piece: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const index = typeof piece.index === 'number' ? piece.index : this.calls.size;
    const call = this.calls.get(index) ?? { id: '', name: '', arguments: '' };
    if (piece.id) call.id = piece.id;
    if (piece.function?.name && !call.name) call.name = piece.function.name;
    if (piece.function?.arguments) call.arguments += piece.function.arguments;
    this.calls.set(index, call);
  }

  finish(): ToolCallRequest[] {
    return [...this.calls.entries()].sort(([a], [b]) => a - b).map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
  }
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return {
      role: 'assistant',
      content: message.content || null,
      tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments || '{}' } })),
    };
  }
  if (message.role === 'user' && message.images?.length) {
    return {
      role: 'user',
      content: [
        { type: 'text', text: message.content },
        ...message.images.map((i) => ({ type: 'image_url' as const, image_url: { url: `data:${i.mimeType};base64,${i.data}` } })),
      ],
    };
  }
  return { role: message.role, content: message.content };
}

function toOpenAiTool(tool: ToolSpec): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}
