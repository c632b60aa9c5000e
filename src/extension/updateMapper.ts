/**
 * Turns ACP `session/update`s into transcript ops: text chunks stream into the current answer (a tool call
 * or plan in between starts a new one, so the order on screen is the order of events), tool calls become
 * cards that later updates patch, and a turn has one plan that each plan update replaces. Plain code, no vscode.
 */
import type { ContentBlock, SessionUpdate, ToolCallContent, ToolCallUpdateFields } from '../protocol/acp';
import type { ItemOf, TranscriptOp } from '../webview/protocol';
import type { TranscriptModel } from '../webview/transcriptModel';

const MAX_DETAIL = 16 * 1024;

export class UpdateMapper {
  private agentId: string | undefined;
  private thoughtId: string | undefined;
  private planId: string | undefined;

  constructor(
    private readonly model: TranscriptModel,
    private readonly newId: (prefix: string) => string,
  ) {}

  /** A new turn: its text starts a new answer and its plan a new plan. */
  startTurn(): void {
    this.agentId = this.thoughtId = this.planId = undefined;
  }

  map(sessionId: string, update: SessionUpdate): TranscriptOp[] {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
        return this.text('agent', contentText(update.content));
      case 'agent_thought_chunk':
        return this.text('thought', contentText(update.content));
      case 'tool_call':
      case 'tool_call_update':
        this.agentId = this.thoughtId = undefined;
        return [this.tool(`tool:${sessionId}:${update.toolCallId}`, update)];
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

  private tool(id: string, update: ToolCallUpdateFields): TranscriptOp {
    const old = this.model.get(id);
    const previous: ItemOf<'tool'> =
      old?.kind === 'tool' ? old : { kind: 'tool', id, title: 'Tool call', toolKind: 'other', status: 'pending', detail: '', locations: [], terminalIds: [] };
    const item: ItemOf<'tool'> = {
      ...previous,
      title: update.title ? update.title.slice(0, 4096) : previous.title,
      toolKind: update.kind ?? previous.toolKind,
      status: update.status ?? previous.status,
      locations: update.locations
        ? update.locations.slice(0, 100).map((l) => (typeof l.line === 'number' && l.line >= 0 ? { path: l.path, line: l.line } : { path: l.path }))
        : previous.locations,
    };
    if (update.content) {
      item.detail = toolDetail(update.content, update.rawInput, update.rawOutput);
      item.terminalIds = update.content.flatMap((c) => (c.type === 'terminal' ? [c.terminalId] : [])).slice(0, 20);
    } else if (update.rawInput !== undefined || update.rawOutput !== undefined) {
      item.detail = toolDetail([], update.rawInput, update.rawOutput);
    }
    return old ? { op: 'replace', item } : { op: 'add', item };
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

/** A short line diff: lines only in the old text, then lines only in the new one (good enough for a card). */
export function diffText(path: string, oldText: string | null, newText: string): string {
  if (oldText === null) return `New file ${path}\n${newText.split('\n').map((l) => `+ ${l}`).join('\n')}`;
  const before = oldText.split('\n');
  const after = newText.split('\n');
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const removed = before.slice(start, endBefore).map((l) => `- ${l}`);
  const added = after.slice(start, endAfter).map((l) => `+ ${l}`);
  return [`Edit ${path} (line ${start + 1})`, ...removed, ...added].join('\n');
}
