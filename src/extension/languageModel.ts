/**
 * The agent's LanguageModelProvider implemented with `vscode.lm`, so `vscode-lm[:family]` sessions of the
 * in-process server use the chat models VS Code offers (Copilot and others), tool calling included.
 */
import * as vscode from 'vscode';
import {
  LanguageModelProviderError,
  type LanguageModelProvider,
  type LmErrorCode,
  type LmMessage,
  type LmRequest,
  type LmResponsePart,
} from '../agent/models/languageModelProvider';
import type { ModelRegistry } from '../agent/models/registry';
import { VSCODE_LM_PREFIX, vscodeLmFactory, vscodeLmLister } from '../agent/models/vscodeLm';

/** `vscode.LanguageModelDataPart` (VS Code 1.101+) carries images; older versions have no way to send one. */
type DataPartClass = { image(data: Uint8Array, mimeType: string): unknown };
const dataPart = (vscode as unknown as { LanguageModelDataPart?: DataPartClass }).LanguageModelDataPart;

export class VsCodeLanguageModelProvider implements LanguageModelProvider {
  readonly imagesSupported = typeof dataPart?.image === 'function';

  async models(): Promise<{ family: string; name: string; maxInputTokens: number }[]> {
    const models = await vscode.lm.selectChatModels({});
    return models.map((m) => ({ family: m.family, name: m.name, maxInputTokens: m.maxInputTokens }));
  }

  async send(request: LmRequest): Promise<AsyncIterable<LmResponsePart>> {
    const models = await vscode.lm.selectChatModels(request.family ? { family: request.family } : {});
    const model = models[0];
    if (!model) throw new LanguageModelProviderError('NoModel', request.family ? `no chat model of family "${request.family}"` : 'no chat model');
    const source = new vscode.CancellationTokenSource();
    const cancel = () => source.cancel();
    request.signal.addEventListener('abort', cancel, { once: true });
    try {
      const response = await model.sendRequest(
        request.messages.map(toChatMessage),
        {
          justification: 'Punie answers your prompts with this model.',
          tools: request.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })),
        },
        source.token,
      );
      return parts(response.stream, () => {
        request.signal.removeEventListener('abort', cancel);
        source.dispose();
      });
    } catch (err) {
      request.signal.removeEventListener('abort', cancel);
      source.dispose();
      throw toProviderError(err);
    }
  }
}

/** Lets `vscode-lm[:family]` model strings reach VS Code's chat models. */
export function registerVsCodeLanguageModels(registry: ModelRegistry): void {
  const provider = new VsCodeLanguageModelProvider();
  registry.register(VSCODE_LM_PREFIX, vscodeLmFactory(provider));
  registry.catalog.register(VSCODE_LM_PREFIX, vscodeLmLister(provider), VSCODE_LM_PREFIX);
}

async function* parts(stream: AsyncIterable<unknown>, done: () => void): AsyncIterable<LmResponsePart> {
  try {
    for await (const part of stream) {
      if (part instanceof vscode.LanguageModelTextPart) yield { type: 'text', text: part.value };
      else if (part instanceof vscode.LanguageModelToolCallPart) yield { type: 'tool_call', callId: part.callId, name: part.name, input: part.input };
    }
  } catch (err) {
    throw toProviderError(err);
  } finally {
    done();
  }
}

function toChatMessage(message: LmMessage): vscode.LanguageModelChatMessage {
  if (message.role === 'assistant') {
    return vscode.LanguageModelChatMessage.Assistant(
      message.parts.flatMap<vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart>((p) =>
        p.type === 'text' ? [new vscode.LanguageModelTextPart(p.text)] : p.type === 'tool_call' ? [new vscode.LanguageModelToolCallPart(p.callId, p.name, p.input)] : [],
      ),
    );
  }
  return vscode.LanguageModelChatMessage.User(
    message.parts.flatMap<vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart>((p) => {
      if (p.type === 'text') return [new vscode.LanguageModelTextPart(p.text)];
      if (p.type === 'tool_result') return [new vscode.LanguageModelToolResultPart(p.callId, [new vscode.LanguageModelTextPart(p.text)])];
      // Only offered when the data part exists (imagesSupported); the API types of 1.95 do not know it yet.
      if (p.type === 'image' && dataPart) return [dataPart.image(Buffer.from(p.data, 'base64'), p.mimeType) as vscode.LanguageModelTextPart];
      return [];
    }),
  );
}

function toProviderError(err: unknown): Error {
  if (err instanceof LanguageModelProviderError) return err;
  if (err instanceof vscode.LanguageModelError) {
    const known: LmErrorCode[] = ['NotFound', 'NoPermissions', 'Blocked'];
    const code = known.find((c) => c === err.code) ?? 'Unknown';
    return new LanguageModelProviderError(code, err.message);
  }
  return err instanceof Error ? err : new Error(String(err));
}
