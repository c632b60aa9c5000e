/**
 * `@` mentions and other attachments of a chat question: a quick pick of workspace files (VS Code's fuzzy
 * match), and the ACP content blocks a question's attachments become — a small text file embedded, a larger
 * one as a resource link, an image as image content. Files outside the workspace are refused: the webview
 * only names files the user picked, but its messages are not trusted.
 */
import * as vscode from 'vscode';
import type { ContentBlock } from '../protocol/acp';
import type { Attachment } from '../webview/protocol';
import type { AskExtras } from './chat';

/** Larger files go as a link the agent can read with its tools. */
const EMBED_MAX_BYTES = 64 * 1024;
const MAX_FILES_LISTED = 5000;

export async function pickWorkspaceFile(): Promise<{ uri: string; name: string } | undefined> {
  const files = await vscode.workspace.findFiles('**/*', '**/{node_modules,.git}/**', MAX_FILES_LISTED);
  const items = files
    .map((uri) => ({ label: uri.path.slice(uri.path.lastIndexOf('/') + 1), description: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.description.localeCompare(b.description));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Mention a file (type to search)', matchOnDescription: true });
  return picked && { uri: picked.uri.toString(), name: picked.description };
}

export async function attachmentExtras(attachments: readonly Attachment[], imagesAccepted: boolean): Promise<AskExtras & { refused: string[] }> {
  const extras: AskExtras & { refused: string[] } = { blocks: [], chips: [], refused: [] };
  for (const a of attachments) {
    if (a.kind === 'image') {
      if (!imagesAccepted) {
        extras.refused.push(a.name);
        continue;
      }
      extras.blocks.push({ type: 'image', data: a.data, mimeType: a.mimeType });
      extras.chips.push({ kind: 'image', name: a.name });
      continue;
    }
    const block = await fileBlock(a.uri, a.name);
    if (!block) {
      extras.refused.push(a.name);
      continue;
    }
    extras.blocks.push(block);
    extras.chips.push({ kind: 'file', name: a.name });
  }
  return extras;
}

async function fileBlock(raw: string, name: string): Promise<ContentBlock | undefined> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(raw, true);
  } catch {
    return undefined;
  }
  if (!vscode.workspace.getWorkspaceFolder(uri)) return undefined;
  const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
  if (!stat || stat.type !== vscode.FileType.File) return undefined;
  if (stat.size > EMBED_MAX_BYTES) return { type: 'resource_link', uri: uri.toString(), name, size: stat.size };
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { type: 'resource', resource: { uri: uri.toString(), text: new TextDecoder().decode(bytes), mimeType: 'text/plain' } };
}

/** The model picker as a quick pick (the empty chat's link, `Punie: Pick Model`): the known models, or any model string. */
export async function pickModel(options: readonly { value: string; name: string; description?: string }[], current: string): Promise<string | undefined> {
  const other = { label: '$(edit) Enter a model string…', value: '' };
  const items = [
    ...options.map((o) => ({ label: o.value, description: [o.value === current ? 'current' : '', o.description ?? ''].filter(Boolean).join(' · '), value: o.value })),
    other,
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Model for this chat (the conversation continues)' });
  if (!picked) return undefined;
  if (picked !== other) return picked.value;
  const typed = await vscode.window.showInputBox({ prompt: 'A model string: ollama:<model>, local:http://host:port/v1/<model>, openai:<model>, vscode-lm[:family]', value: current });
  return typed?.trim() || undefined;
}
