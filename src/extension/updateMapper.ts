/**
 * Turns ACP `session/update`s into transcript ops: text chunks stream into the current answer (a tool call
 * or plan in between starts a new one, so the order on screen is the order of events), tool calls become
 * cards that later updates patch, and a turn has one plan that each plan update replaces. The user's own
 * prompts arrive only in a replay (`session/load`): their blocks become one question with its chips and start
 * a new turn. Plain code, no vscode.
 */
import { createPatch } from 'diff';
import type { ContentBlock, SessionUpdate, ToolCallContent, ToolCallUpdateFields } from '../protocol/acp';
import { PERMISSION_META, PermissionRecord, TURN_META } from '../protocol/punie';
import { ToolImage, type AttachmentChip, type ItemOf, type ToolPermission, type TranscriptOp } from '../webview/protocol';
import type { TranscriptModel } from '../webview/transcriptModel';

const MAX_DETAIL = 16 * 1024;
/** A question id the chat makes (transcriptStore.ts `newId('user')`); anything else in a replay gets a new one. */
const TURN_ID = /^user-[\w-]{1,200}$/;

export class UpdateMapper {
  private agentId: string | undefined;
  private thoughtId: string | undefined;
  private planId: string | undefined;
  /** The question the replayed prompt blocks so far went into; any other update ends it. */
  private userId: string | undefined;
  /** The last question mapped (a replayed turn that is still running belongs to it). */
  lastQuestionId: string | undefined;

  constructor(
    private readonly model: TranscriptModel,
    private readonly newId: (prefix: string) => string,
    /** Whether the user rejected a call's permission request: its failure is shown as "Rejected". */
    private readonly rejected: (sessionId: string, toolCallId: string) => boolean = () => false,
    /** Whether a question (by the id the chat gave it) has a checkpoint to restore. */
    private readonly hasCheckpoint: (turnId: string) => boolean = () => false,
  ) {}

  /** A new turn: its text starts a new answer and its plan a new plan. */
  startTurn(): void {
    this.agentId = this.thoughtId = this.planId = undefined;
  }

  map(sessionId: string, update: SessionUpdate): TranscriptOp[] {
    if (update.sessionUpdate === 'user_message_chunk') return this.question(update.content);
    this.userId = undefined;
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
        return this.text('agent', contentText(update.content));
      case 'agent_thought_chunk':
        return this.text('thought', contentText(update.content));
      case 'tool_call':
      case 'tool_call_update':
        this.agentId = this.thoughtId = undefined;
        return [this.tool(toolItemId(sessionId, update.toolCallId), update, this.rejected(sessionId, update.toolCallId), update.toolCallId)];
      case 'plan': {
        this.agentId = this.thoughtId = undefined;
        const entries = update.entries.map(({ content, priority, status }) => ({ content, priority, status }));
        if (this.planId && this.model.get(this.planId)) return [{ op: 'replace', item: { kind: 'plan', id: this.planId, entries } }];
        this.planId = this.newId('plan');
        return [{ op: 'add', item: { kind: 'plan', id: this.planId, entries } }];
      }
      default:
        return [];
    }
  }

  private question(block: ContentBlock): TranscriptOp[] {
    const current = this.userId ? this.model.get(this.userId) : undefined;
    const chip = attachmentChip(block);
    if (current?.kind === 'user') {
      if (chip) return [{ op: 'replace', item: { ...current, attachments: [...(current.attachments ?? []), chip].slice(0, 50) } }];
      return block.type === 'text' ? [{ op: 'append', id: current.id, text: current.text ? `\n\n${block.text}` : block.text }] : [];
    }
    this.startTurn();
    // The chat's own id for the question, when it sent it: its checkpoint is kept under that id.
    const turnId = block._meta?.[TURN_META];
    const known = typeof turnId === 'string' && TURN_ID.test(turnId) && !this.model.get(turnId);
    this.userId = this.lastQuestionId = known ? turnId : this.newId('user');
    const checkpoint = known && this.hasCheckpoint(turnId) ? { checkpoint: true } : {};
    return [{ op: 'add', item: { kind: 'user', id: this.userId, text: block.type === 'text' ? block.text : '', ...checkpoint, ...(chip ? { attachments: [chip] } : {}) } }];
  }

  private text(kind: 'agent' | 'thought', text: string): TranscriptOp[] {
    if (!text) return [];
    const current = kind === 'agent' ? this.agentId : this.thoughtId;
    if (kind === 'agent') this.thoughtId = undefined;
    else this.agentId = undefined;
    if (current && this.model.get(current)) return [{ op: 'append', id: current, text }];
    const id = this.newId(kind);
    if (kind === 'agent') this.agentId = id;
    else this.thoughtId = id;
    return [{ op: 'add', item: { kind, id, text } }];
  }

  /**
   * Whether the chat shows this call's permission card (asked live): the card holds the question and the answer,
   * so the call's card does not repeat them. A replayed session has no such card and shows them on the call.
   */
  private askedInChat(toolCallId: string): boolean {
    return this.model.some((item) => item.kind === 'permission' && item.toolCallId === toolCallId);
  }

  private tool(id: string, update: ToolCallUpdateFields, rejected: boolean, toolCallId: string): TranscriptOp {
    const old = this.model.get(id);
    const previous: ItemOf<'tool'> =
      old?.kind === 'tool' ? old : { kind: 'tool', id, title: 'Tool call', toolKind: 'other', status: 'pending', detail: '', locations: [], terminalIds: [] };
    const status = update.status ?? previous.status;
    const record = update._meta?.[PERMISSION_META];
    // The question's record comes before the question itself: the line shows until its card is in the chat
    // (pendingPrompts.ts `addCard` then takes it off), and no record brings it back while the card is there.
    const shownOnCard = record !== undefined && this.askedInChat(toolCallId);
    const permission = shownOnCard ? undefined : (toolPermission(record, status) ?? previous.permission);
    const item: ItemOf<'tool'> = {
      ...previous,
      title: update.title ? update.title.slice(0, 4096) : previous.title,
      toolKind: update.kind ?? previous.toolKind,
      status: status === 'failed' && (rejected || permission?.outcome === 'rejected') ? 'rejected' : status,
      locations: update.locations
        ? update.locations.slice(0, 100).map((l) => (typeof l.line === 'number' && l.line >= 0 ? { path: l.path, line: l.line } : { path: l.path }))
        : previous.locations,
    };
    if (update.content) {
      item.detail = toolDetail(update.content, update.rawInput, update.rawOutput);
      item.terminalIds = update.content.flatMap((c) => (c.type === 'terminal' ? [c.terminalId] : [])).slice(0, 20);
      const images = toolImages(update.content);
      if (images.length) item.images = images;
      else delete item.images;
    } else if (update.rawInput !== undefined || update.rawOutput !== undefined) {
      item.detail = toolDetail([], update.rawInput, update.rawOutput);
    }
    if (permission) item.permission = permission;
    else delete item.permission;
    return old ? { op: 'replace', item } : { op: 'add', item };
  }
}

/** The chat's item id of a tool call's card. */
export function toolItemId(sessionId: string, toolCallId: string): string {
  return `tool:${sessionId}:${toolCallId}`;
}

/** The line a tool card shows for the permission question in its `_meta` (see server/permissionRecord.ts). */
export function toolPermission(raw: unknown, status: string): ToolPermission | undefined {
  const parsed = PermissionRecord.safeParse(raw);
  if (!parsed.success) return undefined;
  const { title: question, options, outcome } = parsed.data;
  if (!outcome) {
    // A question without an answer on a call that is over: the server stopped (or the answer was never written).
    const open = status === 'pending' || status === 'in_progress';
    return { question, outcome: open ? 'waiting' : 'failed', answer: open ? 'Waiting for your answer' : 'No answer was recorded' };
  }
  if (outcome.outcome === 'cancelled') return { question, outcome: 'cancelled', answer: 'Cancelled' };
  if (outcome.outcome === 'failed') return { question, outcome: 'failed', answer: `No answer: ${outcome.reason}` };
  const chosen = options.find((o) => o.optionId === outcome.optionId);
  if (!chosen) return { question, outcome: 'failed', answer: 'An unknown option was chosen' };
  return { question, outcome: chosen.kind.startsWith('allow') ? 'allowed' : 'rejected', answer: chosen.name };
}

/** The chip a replayed prompt block shows on its question (sent with it as a selection, file or image). */
function attachmentChip(block: ContentBlock): AttachmentChip | undefined {
  const name = (uri: string) => (uri.split(/[\\/]/).pop() || uri).slice(0, 200);
  switch (block.type) {
    case 'resource':
      return { kind: 'selection', name: name(block.resource.uri) };
    case 'resource_link':
      return { kind: 'file', name: (block.title ?? block.name).slice(0, 200) };
    case 'image':
      return { kind: 'image', name: 'image' };
    default:
      return undefined;
  }
}

/** Markdown for a content block of an answer. */
export function contentText(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'resource_link':
      return `[${block.title ?? block.name}](${block.uri})`;
    case 'resource':
      return 'text' in block.resource ? `\n\`\`\`\n${block.resource.text}\n\`\`\`\n` : `[${block.resource.uri}]`;
    case 'image':
      return '[image]';
    case 'audio':
      return '[audio]';
  }
}

/** The images of a tool's result the card can show (kinds and sizes the webview contract accepts). */
export function toolImages(content: readonly ToolCallContent[]): ToolImage[] {
  const images = content.flatMap((c) => (c.type === 'content' && c.content.type === 'image' ? [{ mimeType: c.content.mimeType, data: c.content.data }] : []));
  return images.filter((image): image is ToolImage => ToolImage.safeParse(image).success).slice(0, 8);
}

/** The plain text shown in an expanded tool card. */
export function toolDetail(content: readonly ToolCallContent[], rawInput: unknown, rawOutput: unknown): string {
  const parts: string[] = [];
  for (const c of content) {
    if (c.type === 'content') parts.push(contentText(c.content));
    else if (c.type === 'diff') parts.push(diffText(c.path, c.oldText ?? null, c.newText));
  }
  if (parts.length === 0 && rawInput !== undefined) parts.push(`Input:\n${json(rawInput)}`);
  if (parts.length === 0 && rawOutput !== undefined) parts.push(`Output:\n${json(rawOutput)}`);
  const text = parts.join('\n\n');
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}\n… (${text.length - MAX_DETAIL} more characters)` : text;
}

function json(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/** A unified diff for the card (the `diff` library's, without its file header lines). */
export function diffText(path: string, oldText: string | null, newText: string): string {
  const patch = createPatch(path, oldText ?? '', newText, '', '', { context: 2 }).split('\n').slice(4).join('\n').trimEnd();
  return `${oldText === null ? 'New file' : 'Edit'} ${path}\n${patch}`;
}
