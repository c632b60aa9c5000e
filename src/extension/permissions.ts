/**
 * `session/request_permission`: decided by the auto-approve setting and workspace trust when they allow,
 * otherwise asked inline in the chat (and as a notification when the chat is hidden). The first answer
 * wins; a cancelled request or turn answers `cancelled`.
 */
import * as vscode from 'vscode';
import type { RequestPermissionRequest, RequestPermissionResponse } from '../protocol/acp';
import type { ItemOf } from '../webview/protocol';
import type { AutoApprove } from './config';
import { runInBackground } from '../util/background';
import { autoDecision } from './permissionPolicy';
import type { TranscriptStore } from './transcriptStore';

interface Pending {
  item: ItemOf<'permission'>;
  resolve(optionId: string | undefined): void;
}

export interface PermissionEnvironment {
  autoApprove(): AutoApprove;
  isTrusted(): boolean;
  /** Whether the chat view is on screen (else a notification asks too). */
  chatVisible(): boolean;
}

/** Notification buttons: full words, the same for every agent. */
const NOTIFICATION_LABELS: Record<string, string> = { allow_once: 'Allow', allow_always: 'Allow Always', reject_once: 'Reject', reject_always: 'Reject Always' };

export class PermissionBroker implements vscode.Disposable {
  private readonly pending = new Map<string, Pending>();
  private readonly changeEmitter = new vscode.EventEmitter<number>();
  /** Fires with the number of requests waiting for the user whenever it changes. */
  readonly onDidChangePending = this.changeEmitter.event;

  constructor(
    private readonly transcript: TranscriptStore,
    private readonly env: PermissionEnvironment,
  ) {}

  async request(request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse> {
    const title = request.toolCall.title ?? 'The agent asks for permission';
    const base: ItemOf<'permission'> = {
      kind: 'permission',
      id: this.transcript.newId('permission'),
      title: title.slice(0, 4096),
      detail: describe(request),
      options: request.options.map(({ optionId, name, kind }) => ({ optionId, name, kind })),
      outcome: null,
    };
    const decided = autoDecision(request, this.env.autoApprove(), this.env.isTrusted());
    if (decided) {
      this.transcript.add({ ...base, outcome: decided.option.optionId });
      this.transcript.notice('info', decided.reason);
      return { outcome: { outcome: 'selected', optionId: decided.option.optionId } };
    }
    if (signal.aborted) return { outcome: { outcome: 'cancelled' } };
    this.transcript.add(base);
    const optionId = await new Promise<string | undefined>((resolve) => {
      const onAbort = () => this.settle(base.id, undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(base.id, {
        item: base,
        resolve: (id) => {
          signal.removeEventListener('abort', onAbort);
          resolve(id);
        },
      });
      this.changeEmitter.fire(this.pending.size);
      if (!this.env.chatVisible()) this.notify(base);
    });
    return optionId === undefined ? { outcome: { outcome: 'cancelled' } } : { outcome: { outcome: 'selected', optionId } };
  }

  /** The user's answer (chat or notification); ignored when the request is already settled or the option unknown. */
  answer(id: string, optionId: string): boolean {
    const pending = this.pending.get(id);
    if (!pending || !pending.item.options.some((o) => o.optionId === optionId)) return false;
    this.settle(id, optionId);
    return true;
  }

  /** Ends every open request as cancelled (the turn was cancelled or the connection replaced). */
  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, undefined);
  }

  dispose(): void {
    this.cancelAll();
    this.changeEmitter.dispose();
  }

  private settle(id: string, optionId: string | undefined): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    this.changeEmitter.fire(this.pending.size);
    this.transcript.apply({ op: 'replace', item: { ...pending.item, outcome: optionId ?? 'cancelled' } });
    pending.resolve(optionId);
  }

  private notify(item: ItemOf<'permission'>): void {
    const buttons = item.options.map((o) => ({ title: NOTIFICATION_LABELS[o.kind] ?? o.name, optionId: o.optionId }));
    runInBackground(
      'the permission notification',
      vscode.window.showWarningMessage(`Punie asks to ${lowerFirst(item.title)}`, ...buttons).then((choice) => {
        if (choice) this.answer(item.id, choice.optionId);
      }),
    );
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function describe(request: RequestPermissionRequest): string {
  const { toolCall } = request;
  const lines: string[] = [];
  if (toolCall.kind) lines.push(`Kind: ${toolCall.kind}`);
  for (const location of toolCall.locations ?? []) lines.push(`File: ${location.path}${typeof location.line === 'number' ? `:${location.line}` : ''}`);
  if (toolCall.rawInput !== undefined) {
    let input: string;
    try {
      input = typeof toolCall.rawInput === 'string' ? toolCall.rawInput : JSON.stringify(toolCall.rawInput, null, 2);
    } catch {
      input = String(toolCall.rawInput);
    }
    lines.push(input.length > 4000 ? `${input.slice(0, 4000)}…` : input);
  }
  return lines.join('\n');
}
