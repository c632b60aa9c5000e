/**
 * The one contract between the extension host and the chat webview. Both sides import this file and
 * validate every message they receive with it; it must stay free of `vscode` and of the DOM.
 */
// zod/mini, through the path the MCP SDK also imports: esbuild then initialises it before this file (through
// `zod/mini` it did not, and the extension's core failed to load: "not a constructor").
import * as z from 'zod/v4-mini';
import { summarizeIssues } from '../protocol/issues';

const Id = z.string().check(z.minLength(1), z.maxLength(256));
/** An answer can be long; a single message still has a ceiling. */
const Text = z.string().check(z.maxLength(16 * 1024 * 1024));
const Short = z.string().check(z.maxLength(4096));

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

export const Location = z.object({ path: Short, line: z.optional(z.int().check(z.nonnegative())) });
/** A raster image a tool returned (an MCP tool's screenshot, say): base64 only, never SVG (it can script). */
export const ToolImage = z.object({
  mimeType: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
  data: z.string().check(z.maxLength(4 * 1024 * 1024), z.regex(/^[A-Za-z0-9+/]*={0,2}$/)),
});
export type ToolImage = z.infer<typeof ToolImage>;

/** A decision on a proposed change as a whole or on one hunk of it. */
export const ReviewState = z.enum(['pending', 'accepted', 'rejected']);
export type ReviewState = z.infer<typeof ReviewState>;
/** One diff line: `+` added, `-` removed, ` ` context; numbers are 1-based lines of the old and new text. */
export const DiffLine = z.tuple([z.enum(['+', '-', ' ']), z.int().check(z.nonnegative()), z.int().check(z.nonnegative()), Text]);
export type DiffLine = z.infer<typeof DiffLine>;
export const ReviewHunk = z.object({
  state: ReviewState,
  lines: z.array(DiffLine).check(z.maxLength(2000)),
  /** Lines of this hunk not sent (the card shows a part; "Open diff" shows all). */
  hidden: z.int().check(z.nonnegative()),
});
export type ReviewHunk = z.infer<typeof ReviewHunk>;
/** The diff of a proposed write, shown on its permission card for Accept / Reject per file and per hunk. */
export const Review = z.object({
  /** The file, relative to the workspace when inside it. */
  path: Short,
  newFile: z.boolean(),
  added: z.int().check(z.nonnegative()),
  removed: z.int().check(z.nonnegative()),
  /** The user changed the proposal in the diff editor. */
  edited: z.boolean(),
  /** Every hunk is sent (each is decided); past the shown-lines budget they carry no lines, only `hidden`. */
  hunks: z.array(ReviewHunk).check(z.maxLength(20_000)),
});
export type Review = z.infer<typeof Review>;
/** A command a permission card asks about, as the client will run it (see webview/commandView.ts). */
export const CommandView = z.object({
  /** The shell that runs `line` (`sh -c`), or null when `line` is the program and its arguments. */
  shell: z.nullable(Short),
  line: Text,
  cwd: z.nullable(Text),
  env: z.array(z.object({ name: Text, value: Text })).check(z.maxLength(1000)),
});
export type CommandView = z.infer<typeof CommandView>;

/** `answer`: the option's name when one was chosen, else why there was none. */
export const ToolPermission = z.object({ question: Short, outcome: z.enum(['allowed', 'rejected', 'cancelled', 'failed', 'waiting']), answer: Short });
export type ToolPermission = z.infer<typeof ToolPermission>;

/** What went along with a question, shown as a chip on it. */
export const AttachmentChip = z.object({ kind: z.enum(['file', 'selection', 'image']), name: Short });
export type AttachmentChip = z.infer<typeof AttachmentChip>;

export const TranscriptItem = z.discriminatedUnion('kind', [
  /** `checkpoint`: the files this turn changed were saved before, and can be restored. */
  z.object({ kind: z.literal('user'), id: Id, text: Text, checkpoint: z.optional(z.boolean()), attachments: z.optional(z.array(AttachmentChip).check(z.maxLength(50))) }),
  z.object({ kind: z.literal('agent'), id: Id, text: Text }),
  z.object({ kind: z.literal('thought'), id: Id, text: Text }),
  z.object({
    kind: z.literal('tool'),
    id: Id,
    title: Short,
    toolKind: z.string().check(z.maxLength(64)),
    status: ToolStatus,
    /** Plain text shown when the card is expanded (arguments, output, diff summary). */
    detail: Text,
    locations: z.array(Location).check(z.maxLength(100)),
    terminalIds: z.array(Id).check(z.maxLength(20)),
    images: z.optional(z.array(ToolImage).check(z.maxLength(8))),
    /** The permission question asked for this call and its outcome, from the session's log (so a replay shows it too). */
    permission: z.optional(ToolPermission),
  }),
  z.object({ kind: z.literal('plan'), id: Id, entries: z.array(PlanEntry).check(z.maxLength(200)) }),
  z.object({
    kind: z.literal('permission'),
    id: Id,
    /** The tool call it asks about: while this card is in the chat, the call's card does not repeat the answer. */
    toolCallId: z.optional(Id),
    title: Short,
    detail: Text,
    /** Set when the request runs a command: shown in full, whatever the title says. */
    command: z.optional(CommandView),
    options: z.array(PermissionChoice).check(z.maxLength(10)),
    /** The chosen optionId, `cancelled`, or null while waiting for the user. */
    outcome: z.nullable(z.string().check(z.maxLength(256))),
    /** Set for a proposed file change: the diff to review. */
    review: z.optional(Review),
    /** A command's argv prefixes "Always allow" may cover instead of the exact command, shortest first, as shown. */
    prefixes: z.optional(z.array(Short).check(z.maxLength(20))),
    /** How many words of the command "Always allow" covers, when the user picked a prefix. */
    chosenPrefix: z.optional(z.int().check(z.positive(), z.lte(20))),
  }),
  z.object({
    kind: z.literal('notice'),
    id: Id,
    level: z.enum(['info', 'warning', 'error']),
    text: Text,
    /** A button after the text: ask the last question again, or pick a model. */
    action: z.optional(z.enum(['retry', 'pickModel'])),
  }),
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
  retryInMs: z.optional(z.number().check(z.nonnegative())),
  /** The server no longer knows the session; the next question starts a new one. */
  sessionExpired: z.boolean(),
});
export type ConnectionView = z.infer<typeof ConnectionView>;

const Choice = z.object({ value: Short, name: Short, description: z.optional(Short) });
const Picker = z.object({ current: Short, options: z.array(Choice).check(z.maxLength(500)) });
/** The session's settings and state the composer shows: model and mode pickers, commands, usage. */
export const SessionView = z.object({
  model: Picker,
  mode: Picker,
  /** The agent's slash commands (names without the slash). */
  commands: z.array(z.object({ name: Short, description: Short, hint: z.optional(Short) })).check(z.maxLength(100)),
  /** Tokens in context and the context size (0: unknown). */
  usage: z.optional(z.object({ used: z.number().check(z.nonnegative()), size: z.number().check(z.nonnegative()) })),
  /** The agent takes images (ACP promptCapabilities.image). */
  images: z.boolean(),
});
export type SessionView = z.infer<typeof SessionView>;

export const ChatStatus = z.object({ busy: z.boolean(), connection: ConnectionView, session: SessionView });
export type ChatStatus = z.infer<typeof ChatStatus>;

export const HostMessage = z.discriminatedUnion('type', [
  /** Sent after every `ready`: the whole transcript, so a re-created webview shows everything. */
  z.object({ type: z.literal('init'), items: z.array(TranscriptItem), status: ChatStatus }),
  z.object({ type: z.literal('ops'), ops: z.array(TranscriptOp).check(z.minLength(1)) }),
  z.object({ type: z.literal('status'), status: ChatStatus }),
  z.object({ type: z.literal('focusInput') }),
  /** A file picked for an `@` mention. */
  z.object({ type: z.literal('mentioned'), uri: Short, name: Short }),
  /** A question that was not sent (no connection): the composer gets it back, to be sent again. */
  z.object({ type: z.literal('draft'), text: z.string().check(z.maxLength(1024 * 1024)) }),
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
  draft: z.string().check(z.maxLength(1024 * 1024)),
});
export type RenderReport = z.infer<typeof RenderReport>;

/** An image is at most 5 MiB, base64 a third more. */
export const MAX_IMAGE_BASE64 = Math.ceil((5 * 1024 * 1024 * 4) / 3) + 4;
export const Attachment = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), uri: Short, name: Short }),
  z.object({ kind: z.literal('image'), name: Short, mimeType: z.string().check(z.regex(/^image\/[a-z0-9.+-]+$/), z.maxLength(100)), data: z.string().check(z.maxLength(MAX_IMAGE_BASE64)) }),
]);
export type Attachment = z.infer<typeof Attachment>;

export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('send'), text: z.string().check(z.minLength(1), z.maxLength(1024 * 1024)), attachments: z.optional(z.array(Attachment).check(z.maxLength(50))) }),
  z.object({ type: z.literal('setOption'), configId: z.enum(['model', 'mode']), value: Short }),
  /** `@` typed: the host asks which file. */
  z.object({ type: z.literal('mention') }),
  z.object({ type: z.literal('retry') }),
  z.object({ type: z.literal('pickModel') }),
  /** `/clear`: empties the view; the session keeps its memory. */
  z.object({ type: z.literal('clear') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('retryNow') }),
  z.object({ type: z.literal('newSession') }),
  z.object({ type: z.literal('showLogs') }),
  /** `prefix`: "Always allow" covers commands starting with this many words of this one (see client/commandPrefix.ts). */
  z.object({ type: z.literal('permission'), id: Id, optionId: Id, prefix: z.optional(z.int().check(z.positive(), z.lte(20))) }),
  /** On a review card: accept or reject the change (or one hunk), or open it in VS Code's diff editor. */
  z.object({ type: z.literal('review'), id: Id, action: z.enum(['accept', 'reject', 'openDiff']), hunk: z.optional(z.int().check(z.nonnegative())) }),
  z.object({ type: z.literal('restoreCheckpoint'), id: Id }),
  z.object({ type: z.literal('copy'), text: Text }),
  z.object({ type: z.literal('openLocation'), path: Short, line: z.optional(z.int().check(z.nonnegative())) }),
  z.object({ type: z.literal('showTerminal'), terminalId: Id }),
  z.object({ type: z.literal('probeReport'), probeId: Id, report: RenderReport }),
  /** An error inside the webview, for the host's log. */
  z.object({ type: z.literal('error'), message: Short }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodMiniType<T>, data: unknown): ParseResult<T> {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const type = typeof data === 'object' && data !== null && 'type' in data ? String((data as { type: unknown }).type).slice(0, 40) : typeof data;
  return { ok: false, error: `invalid message (${type}): ${summarizeIssues(result.error.issues, '(message)').text}` };
}

export const parseHostMessage = (data: unknown): ParseResult<HostMessage> => parseWith(HostMessage, data);
export const parseWebviewMessage = (data: unknown): ParseResult<WebviewMessage> => parseWith(WebviewMessage, data);
