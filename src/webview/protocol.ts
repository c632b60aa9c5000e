/**
 * The one contract between the extension host and the chat webview. Both sides import this file and
 * validate every message they receive with it; it must stay free of `vscode` and of the DOM.
 */
import { z } from 'zod';
import { summarizeIssues } from '../protocol/issues';

const Id = z.string().min(1).max(256);
/** An answer can be long; a single message still has a ceiling. */
const Text = z.string().max(16 * 1024 * 1024);
const Short = z.string().max(4096);

/** ACP's statuses, plus `rejected`: failed because the user said no (not an error). */
export const ToolStatus = z.enum(['pending', 'in_progress', 'completed', 'failed', 'rejected']);
export type ToolStatus = z.infer<typeof ToolStatus>;

export const PlanEntry = z.object({
  content: Short,
  priority: z.enum(['high', 'medium', 'low']),
  status: z.enum(['pending', 'in_progress', 'completed']),
});

export const PermissionChoice = z.object({
  optionId: Id,
  name: Short,
  kind: z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always']),
});
export type PermissionChoice = z.infer<typeof PermissionChoice>;

export const Location = z.object({ path: Short, line: z.number().int().nonnegative().optional() });

/** A decision on a proposed change as a whole or on one hunk of it. */
export const ReviewState = z.enum(['pending', 'accepted', 'rejected']);
export type ReviewState = z.infer<typeof ReviewState>;
/** One diff line: `+` added, `-` removed, ` ` context; numbers are 1-based lines of the old and new text. */
export const DiffLine = z.tuple([z.enum(['+', '-', ' ']), z.number().int().nonnegative(), z.number().int().nonnegative(), Text]);
export type DiffLine = z.infer<typeof DiffLine>;
export const ReviewHunk = z.object({
  state: ReviewState,
  lines: z.array(DiffLine).max(2000),
  /** Lines of this hunk not sent (the card shows a part; "Open diff" shows all). */
  hidden: z.number().int().nonnegative(),
});
export type ReviewHunk = z.infer<typeof ReviewHunk>;
/** The diff of a proposed write, shown on its permission card for Accept / Reject per file and per hunk. */
export const Review = z.object({
  /** The file, relative to the workspace when inside it. */
  path: Short,
  newFile: z.boolean(),
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  /** The user changed the proposal in the diff editor. */
  edited: z.boolean(),
  /** Every hunk is sent (each is decided); past the shown-lines budget they carry no lines, only `hidden`. */
  hunks: z.array(ReviewHunk).max(20_000),
});
export type Review = z.infer<typeof Review>;

export const TranscriptItem = z.discriminatedUnion('kind', [
  /** `checkpoint`: the files this turn changed were saved before, and can be restored. */
  z.object({ kind: z.literal('user'), id: Id, text: Text, checkpoint: z.boolean().optional() }),
  z.object({ kind: z.literal('agent'), id: Id, text: Text }),
  z.object({ kind: z.literal('thought'), id: Id, text: Text }),
  z.object({
    kind: z.literal('tool'),
    id: Id,
    title: Short,
    toolKind: z.string().max(64),
    status: ToolStatus,
    /** Plain text shown when the card is expanded (arguments, output, diff summary). */
    detail: Text,
    locations: z.array(Location).max(100),
    terminalIds: z.array(Id).max(20),
  }),
  z.object({ kind: z.literal('plan'), id: Id, entries: z.array(PlanEntry).max(200) }),
  z.object({
    kind: z.literal('permission'),
    id: Id,
    title: Short,
    detail: Text,
    options: z.array(PermissionChoice).max(10),
    /** The chosen optionId, `cancelled`, or null while waiting for the user. */
    outcome: z.string().max(256).nullable(),
    /** Set for a proposed file change: the diff to review. */
    review: Review.optional(),
  }),
  z.object({ kind: z.literal('notice'), id: Id, level: z.enum(['info', 'warning', 'error']), text: Text }),
]);
export type TranscriptItem = z.infer<typeof TranscriptItem>;
export type ItemOf<K extends TranscriptItem['kind']> = Extract<TranscriptItem, { kind: K }>;

/** Changes to the transcript, applied in order. */
export const TranscriptOp = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), item: TranscriptItem }),
  /** Appends text to a user, agent or thought item. */
  z.object({ op: z.literal('append'), id: Id, text: Text }),
  /** Replaces an item as a whole (tool cards, plans, permissions). */
  z.object({ op: z.literal('replace'), item: TranscriptItem }),
  z.object({ op: z.literal('clear') }),
]);
export type TranscriptOp = z.infer<typeof TranscriptOp>;

export const ConnectionView = z.object({
  mode: z.enum(['local', 'remote']),
  status: z.enum(['idle', 'connecting', 'connected', 'reconnecting', 'offline', 'failed']),
  /** What the banner says after the status (server name, last error, failure reason). */
  detail: Short,
  /** While reconnecting: how long until the next attempt, measured when the host sent this. */
  retryInMs: z.number().nonnegative().optional(),
  /** The server no longer knows the session; the next question starts a new one. */
  sessionExpired: z.boolean(),
});
export type ConnectionView = z.infer<typeof ConnectionView>;

export const ChatStatus = z.object({ busy: z.boolean(), connection: ConnectionView });
export type ChatStatus = z.infer<typeof ChatStatus>;

export const HostMessage = z.discriminatedUnion('type', [
  /** Sent after every `ready`: the whole transcript, so a re-created webview shows everything. */
  z.object({ type: z.literal('init'), items: z.array(TranscriptItem), status: ChatStatus }),
  z.object({ type: z.literal('ops'), ops: z.array(TranscriptOp).min(1) }),
  z.object({ type: z.literal('status'), status: ChatStatus }),
  z.object({ type: z.literal('focusInput') }),
  /** A question that was not sent (no connection): the composer gets it back, to be sent again. */
  z.object({ type: z.literal('draft'), text: z.string().max(1024 * 1024) }),
  /** Test-only: asks the webview to report what it rendered. */
  z.object({ type: z.literal('probe'), probeId: Id }),
  /** Test-only: clicks an option button of a permission card, as a user would. */
  z.object({ type: z.literal('probeChoose'), id: Id, optionId: Id }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

export const RenderedItem = z.object({ kind: Short, id: Short, text: Text, html: Text });
export type RenderedItem = z.infer<typeof RenderedItem>;
export const RenderReport = z.object({
  items: z.array(RenderedItem),
  banner: Short,
  busy: z.boolean(),
  inputEnabled: z.boolean(),
  /** What the composer holds. */
  draft: z.string().max(1024 * 1024),
});
export type RenderReport = z.infer<typeof RenderReport>;

export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('send'), text: z.string().min(1).max(1024 * 1024) }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('retryNow') }),
  z.object({ type: z.literal('newSession') }),
  z.object({ type: z.literal('showLogs') }),
  z.object({ type: z.literal('permission'), id: Id, optionId: Id }),
  /** On a review card: accept or reject the change (or one hunk), or open it in VS Code's diff editor. */
  z.object({ type: z.literal('review'), id: Id, action: z.enum(['accept', 'reject', 'openDiff']), hunk: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal('restoreCheckpoint'), id: Id }),
  z.object({ type: z.literal('copy'), text: Text }),
  z.object({ type: z.literal('openLocation'), path: Short, line: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal('showTerminal'), terminalId: Id }),
  z.object({ type: z.literal('probeReport'), probeId: Id, report: RenderReport }),
  /** An error inside the webview, for the host's log. */
  z.object({ type: z.literal('error'), message: Short }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, data: unknown): ParseResult<T> {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const type = typeof data === 'object' && data !== null && 'type' in data ? String((data as { type: unknown }).type).slice(0, 40) : typeof data;
  return { ok: false, error: `invalid message (${type}): ${summarizeIssues(result.error.issues, '(message)').text}` };
}

export const parseHostMessage = (data: unknown): ParseResult<HostMessage> => parseWith(HostMessage, data);
export const parseWebviewMessage = (data: unknown): ParseResult<WebviewMessage> => parseWith(WebviewMessage, data);
