/**
 * `vscode-lm` / `vscode-lm:<family>`: chat models of VS Code's Language Model API (Copilot and others),
 * reached through a LanguageModelProvider that the extension registers. Outside the extension host the
 * model string fails with a clear message instead.
 */
import { abortError } from './abortable';
import type { ModelLister } from './catalog';
import { LanguageModelProviderError, type LanguageModelProvider, type LmMessage, type LmPart } from './languageModelProvider';
import { ModelError, type ChatMessage, type ChatModel, type ModelEvent, type ModelFactory, type ModelRequest } from './types';

export const VSCODE_LM_PREFIX = 'vscode-lm';

export class VsCodeLmModel implements ChatModel {
  get acceptsImages(): boolean {
    return this.provider.imagesSupported;
  }

  constructor(
    readonly id: string,
    private readonly family: string | undefined,
    private readonly provider: LanguageModelProvider,
  ) {}

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    try {
      const parts = await this.provider.send({ family: this.family, messages: toLmMessages(request.messages), tools: request.tools, signal: request.signal });
      for await (const part of parts) {
        if (request.signal.aborted) break;
        if (part.type === 'text') yield { type: 'text', text: part.text };
        else yield { type: 'tool_call', call: { id: part.callId, name: part.name, arguments: JSON.stringify(part.input ?? {}) } };
      }
      if (request.signal.aborted) throw abortError(request.signal);
    } catch (err) {
      if (request.signal.aborted) throw abortError(request.signal);
      throw this.describe(err);
    }
  }

  private describe(err: unknown): ModelError {
    const which = this.family ? `VS Code language model "${this.family}"` : 'VS Code language model';
    if (!(err instanceof LanguageModelProviderError)) return new ModelError(`the ${which} failed: ${err instanceof Error ? err.message : String(err)}`);
    switch (err.code) {
      case 'NoModel':
      case 'NotFound':
        return new ModelError(`no ${which} is available — install and sign in to a chat model extension (e.g. GitHub Copilot)${this.family ? ', or check the family name' : ''}`);
      case 'NoPermissions':
        return new ModelError(`VS Code did not allow Punie to use the ${which} — accept the access prompt, or allow it under "Manage Language Model Access"`);
      case 'Blocked':
        return new ModelError(`the ${which} refused the request (quota or rate limit): ${err.message}`);
      default:
        return new ModelError(`the ${which} failed: ${err.message}`);
    }
  }
}

/**
 * Shapes a conversation for the Language Model API: system text becomes user text (it has no system
 * role), tool results become parts of a user message, and consecutive messages of one role are merged.
 */
export function toLmMessages(messages: readonly ChatMessage[]): LmMessage[] {
  const out: LmMessage[] = [];
  const add = (role: LmMessage['role'], parts: LmPart[]) => {
    if (parts.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  };
  for (const m of messages) {
    if (m.role === 'tool') add('user', [{ type: 'tool_result', callId: m.toolCallId, text: m.content }]);
    else if (m.role === 'assistant') {
      const calls: LmPart[] = (m.toolCalls ?? []).map((c) => ({ type: 'tool_call', callId: c.id, name: c.name, input: parseInput(c.arguments) }));
      add('assistant', [...(m.content ? [{ type: 'text' as const, text: m.content }] : []), ...calls]);
    } else if (m.role === 'user') {
      const images = (m.images ?? []).map((i): LmPart => ({ type: 'image', data: i.data, mimeType: i.mimeType }));
      add('user', [...(m.content ? [{ type: 'text' as const, text: m.content }] : []), ...images]);
    } else if (m.content) add('user', [{ type: 'text', text: m.content }]);
  }
  return out;
}

function parseInput(args: string): object {
  try {
    const value: unknown = JSON.parse(args || '{}');
    return value !== null && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/** The factory of `vscode-lm[:family]` models over `provider`; the extension registers it under VSCODE_LM_PREFIX. */
export function vscodeLmFactory(provider: LanguageModelProvider): ModelFactory {
  return (spec) => new VsCodeLmModel(spec, spec.slice(VSCODE_LM_PREFIX.length + 1) || undefined, provider);
}

/** The chat models VS Code offers, for the model picker (registered in the catalog under VSCODE_LM_PREFIX). */
export function vscodeLmLister(provider: LanguageModelProvider): ModelLister {
  return async () => (await provider.models()).map((m) => ({ value: `${VSCODE_LM_PREFIX}:${m.family}`, name: m.name, description: 'VS Code language model' }));
}
