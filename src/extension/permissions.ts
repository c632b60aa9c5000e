/**
 * `session/request_permission`: decided by the auto-approve setting and workspace trust when they allow,
 * otherwise asked inline in the chat (and as a notification when the chat is hidden). The first answer
 * wins; a cancelled request or turn answers `cancelled`.
 */
import * as vscode from 'vscode';
import type { PermissionOption, RequestPermissionRequest, RequestPermissionResponse } from '../protocol/acp';
import { CommandPrefixGrants, prefixChoices } from '../client/commandPrefix';
import { seeRequest } from '../client/seenRequest';
import type { TerminalCommand } from '../protocol/toolInput';
import { commandView, quote } from '../webview/commandView';
import type { ItemOf } from '../webview/protocol';
import type { AutoApprove } from './config';
import { runInBackground } from '../util/background';
import { autoDecision } from './permissionPolicy';
import type { TranscriptStore } from './transcriptStore';

interface Pending {
  item: ItemOf<'permission'>;
  /** `sessionId:toolCallId` of the call asking. */
  call: string;
  sessionId: string;
  command?: TerminalCommand;
  resolve(optionId: string | undefined, meta?: Record<string, unknown>): void;
}

/** Proposed file changes get a diff to review on their card (see reviews.ts). */
export interface ReviewHook {
  attach(item: ItemOf<'permission'>, request: RequestPermissionRequest): ItemOf<'permission'>;
  decidedElsewhere(id: string, outcome: 'allowed' | 'rejected' | 'cancelled'): void;
}

export interface PermissionEnvironment {
  autoApprove(): AutoApprove;
  allowSearches(): boolean;
  isTrusted(): boolean;
  /** Absolute paths of the workspace folders. */
  roots(): readonly string[];
  /** Whether the chat view is on screen (else a notification asks too). */
  chatVisible(): boolean;
}

/** Tool calls remembered as rejected by the user, so their cards say "Rejected" rather than "Failed". */
const MAX_REJECTED = 500;
/** Notification buttons: full words, the same for every agent. */
const NOTIFICATION_LABELS: Record<string, string> = { allow_once: 'Allow', allow_always: 'Allow Always', reject_once: 'Reject', reject_always: 'Reject Always' };

export class PermissionBroker implements vscode.Disposable {
  private readonly pending = new Map<string, Pending>();
  private readonly rejected = new Set<string>();
  /** "Always allow commands starting with …", per session. */
  private readonly prefixes = new CommandPrefixGrants();
  private readonly changeEmitter = new vscode.EventEmitter<number>();
  /** Fires with the number of requests waiting for the user whenever it changes. */
  readonly onDidChangePending = this.changeEmitter.event;

  constructor(
    private readonly transcript: TranscriptStore,
    private readonly env: PermissionEnvironment,
    private readonly reviews?: ReviewHook,
  ) {}

  /** Whether the user (or the trust policy) rejected this tool call's permission request. */
  wasRejected(sessionId: string, toolCallId: string): boolean {
    return this.rejected.has(`${sessionId}:${toolCallId}`);
  }

  async request(request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse> {
    const command = seeRequest(request, this.env.roots()).command;
    // A command card is titled by the client: the server's title could name another command than the one run.
    const title = command ? 'Run this command?' : (request.toolCall.title ?? 'The agent asks for permission');
    const prefixes = command && request.options.some((o) => o.kind === 'allow_always') ? prefixChoices(command).map((words) => words.map(quote).join(' ')) : [];
    const plain: ItemOf<'permission'> = {
      kind: 'permission',
      id: this.transcript.newId('permission'),
      title: title.slice(0, 4096),
      detail: command ? '' : describe(request),
      ...(command ? { command: commandView(command) } : {}),
      options: request.options.map(({ optionId, name, kind }) => ({ optionId, name, kind })),
      outcome: null,
      ...(prefixes.length > 0 ? { prefixes } : {}),
    };
    const base = this.reviews ? this.reviews.attach(plain, request) : plain;
    const decided =
      autoDecision(request, { autoApprove: this.env.autoApprove(), allowSearches: this.env.allowSearches(), trusted: this.env.isTrusted(), roots: this.env.roots() }) ??
      this.prefixDecision(request, command);
    if (decided) {
      this.transcript.add({ ...base, outcome: decided.option.optionId });
      this.reviews?.decidedElsewhere(base.id, decided.option.kind.startsWith('allow') ? 'allowed' : 'rejected');
      if (decided.option.kind.startsWith('reject')) this.remember(callKey(request));
      this.transcript.notice('info', decided.reason);
      return { outcome: { outcome: 'selected', optionId: decided.option.optionId } };
    }
    if (signal.aborted) return { outcome: { outcome: 'cancelled' } };
    this.transcript.add(base);
    const answer = await new Promise<{ optionId?: string; meta?: Record<string, unknown> }>((resolve) => {
      const onAbort = () => this.settle(base.id, undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(base.id, {
        item: base,
        call: callKey(request),
        sessionId: request.sessionId,
        command,
        resolve: (optionId, meta) => {
          signal.removeEventListener('abort', onAbort);
          resolve({ optionId, meta });
        },
      });
      this.changeEmitter.fire(this.pending.size);
      if (!this.env.chatVisible()) this.notify(base);
    });
    if (answer.optionId === undefined) return { outcome: { outcome: 'cancelled' } };
    return { outcome: { outcome: 'selected', optionId: answer.optionId }, ...(answer.meta ? { _meta: answer.meta } : {}) };
  }

  /**
   * The user's answer (chat or notification); ignored when the request is already settled or the option
   * unknown. `meta` goes back with it (a review's accepted version). `prefix`, with an "always" option of a
   * command, makes it cover every later command of the session starting with that many of its words.
   */
  answer(id: string, optionId: string, meta?: Record<string, unknown>, prefix?: number): boolean {
    const pending = this.pending.get(id);
    const option = pending?.item.options.find((o) => o.optionId === optionId);
    if (!pending || !option) return false;
    const granted = prefix !== undefined && option.kind === 'allow_always' && pending.command !== undefined && this.prefixes.grant(pending.sessionId, pending.command, prefix);
    this.settle(id, optionId, meta, granted ? prefix : undefined);
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

  /** A command starting with a prefix the user chose to always allow in this session is allowed once more. */
  private prefixDecision(request: RequestPermissionRequest, command: TerminalCommand | undefined): { option: PermissionOption; reason: string } | undefined {
    const words = command && this.prefixes.match(request.sessionId, command);
    const allow = request.options.find((o) => o.kind === 'allow_once');
    if (!words || !allow) return undefined;
    return { option: allow, reason: `Allowed: you chose to always allow commands starting with \`${words.map(quote).join(' ')}\` in this session.` };
  }

  private settle(id: string, optionId: string | undefined, meta?: Record<string, unknown>, prefix?: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    this.changeEmitter.fire(this.pending.size);
    const kind = pending.item.options.find((o) => o.optionId === optionId)?.kind;
    this.reviews?.decidedElsewhere(id, kind === undefined ? 'cancelled' : kind.startsWith('allow') ? 'allowed' : 'rejected');
    if (kind?.startsWith('reject')) this.remember(pending.call);
    // The card as it is now (a review updates it while the user decides).
    const current = this.transcript.model.get(id);
    const item = current?.kind === 'permission' ? current : pending.item;
    this.transcript.apply({ op: 'replace', item: { ...item, outcome: optionId ?? 'cancelled', ...(prefix ? { chosenPrefix: prefix } : {}) } });
    pending.resolve(optionId, meta);
  }

  private remember(call: string): void {
    this.rejected.add(call);
    if (this.rejected.size > MAX_REJECTED) this.rejected.delete(this.rejected.values().next().value!);
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

function callKey(request: RequestPermissionRequest): string {
  return `${request.sessionId}:${request.toolCall.toolCallId}`;
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
