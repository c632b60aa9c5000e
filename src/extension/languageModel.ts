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
import { VSCODE_LM_PREFIX, vscodeLmFactory } from '../agent/models/vscodeLm';

export class VsCodeLanguageModelProvider implements LanguageModelProvider {
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
  registry.register(VSCODE_LM_PREFIX, vscodeLmFactory(new VsCodeLanguageModelProvider()));
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
    message.parts.flatMap<vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart>((p) =>
      p.type === 'text'
        ? [new vscode.LanguageModelTextPart(p.text)]
        : p.type === 'tool_result'
          ? [new vscode.LanguageModelToolResultPart(p.callId, [new vscode.LanguageModelTextPart(p.text)])]
          : [],
    ),
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
