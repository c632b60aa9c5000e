/**
 * `session/request_permission`: decided by the auto-approve setting and workspace trust when they allow,
 * otherwise asked inline in the chat of its session (pendingPrompts.ts), and as a notification when the chat
 * is hidden or shows another session. The first answer wins; a cancelled request, or the end of its
 * session's turn, answers `cancelled`; switching sessions answers nothing.
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
import { PendingPrompts, addCard } from './pendingPrompts';
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
  /** The session the chat shows: prompts of other sessions wait outside it. */
  shownSession(): string | undefined;
  /** Shows a session in the chat (a background session's notification offers it). */
  showSession(sessionId: string): Promise<void>;
}

/** Tool calls remembered as rejected by the user, so their cards say "Rejected" rather than "Failed". */
const MAX_REJECTED = 500;
/** Notification buttons: full words, the same for every agent. */
const NOTIFICATION_LABELS: Record<string, string> = { allow_once: 'Allow', allow_always: 'Allow Always', reject_once: 'Reject', reject_always: 'Reject Always' };

export class PermissionBroker implements vscode.Disposable {
  private readonly pending: PendingPrompts<Pending>;
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
  ) {
    this.pending = new PendingPrompts(transcript, () => env.shownSession());
  }

  /** The sessions with a prompt waiting for the user. */
  get waitingSessions(): ReadonlySet<string> {
    return this.pending.sessions();
  }

  /** A session is shown again (attached and replayed): its waiting prompts go back into the chat. */
  showSession(sessionId: string): void {
    this.pending.show(sessionId);
  }

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
      toolCallId: request.toolCall.toolCallId,
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
      // Only into the chat of its own session (the server's log has it for the others).
      if (this.env.shownSession() === request.sessionId) {
        addCard(this.transcript, request.sessionId, { ...base, outcome: decided.option.optionId });
        this.transcript.notice('info', decided.reason);
      }
      this.reviews?.decidedElsewhere(base.id, decided.option.kind.startsWith('allow') ? 'allowed' : 'rejected');
      if (decided.option.kind.startsWith('reject')) this.remember(callKey(request));
      return { outcome: { outcome: 'selected', optionId: decided.option.optionId } };
    }
    if (signal.aborted) return { outcome: { outcome: 'cancelled' } };
    const answer = await new Promise<{ optionId?: string; meta?: Record<string, unknown> }>((resolve) => {
      const onAbort = () => this.settle(base.id, undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      const inChat = this.pending.add({
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
      if (!inChat) this.notify(base, 'A background Punie session asks to', request.sessionId);
      else if (!this.env.chatVisible()) this.notify(base, 'Punie asks to');
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

  /** Ends the open requests of one session (its turn ended), or of all (the connection was replaced), as cancelled. */
  cancelAll(sessionId?: string): void {
    for (const id of this.pending.ids(sessionId)) this.settle(id, undefined);
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
    const pending = this.pending.settle(id, (card) => ({ ...card, outcome: optionId ?? 'cancelled', ...(prefix ? { chosenPrefix: prefix } : {}) }));
    if (!pending) return;
    this.changeEmitter.fire(this.pending.size);
    const kind = pending.item.options.find((o) => o.optionId === optionId)?.kind;
    this.reviews?.decidedElsewhere(id, kind === undefined ? 'cancelled' : kind.startsWith('allow') ? 'allowed' : 'rejected');
    if (kind?.startsWith('reject')) this.remember(pending.call);
    pending.resolve(optionId, meta);
  }

  private remember(call: string): void {
    this.rejected.add(call);
    if (this.rejected.size > MAX_REJECTED) this.rejected.delete(this.rejected.values().next().value!);
  }

  /** Asks in a notification too; one of a background session also offers to show that session (its card waits there). */
  private notify(item: ItemOf<'permission'>, asks: string, background?: string): void {
    const buttons: { title: string; optionId?: string }[] = item.options.map((o) => ({ title: NOTIFICATION_LABELS[o.kind] ?? o.name, optionId: o.optionId }));
    if (background !== undefined) buttons.push({ title: 'Show Conversation' });
    runInBackground(
      'the permission notification',
      vscode.window.showWarningMessage(`${asks} ${lowerFirst(item.title)}`, ...buttons).then(async (choice) => {
        if (choice?.optionId !== undefined) this.answer(item.id, choice.optionId);
        else if (choice && background !== undefined) await this.env.showSession(background);
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
