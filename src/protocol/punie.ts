/**
 * Punie's dialect of ACP, spoken on `/ws` for Punie's Python clients: legacy flat method names,
 * snake_case params, and Punie extensions carried in `_meta`.
 */
import { z } from 'zod';

/** Legacy flat names accepted on `/ws`, mapped to their ACP v1 names. */
export const LEGACY_METHODS: Readonly<Record<string, string>> = {
  new_session: 'session/new',
  load_session: 'session/load',
  list_sessions: 'session/list',
  set_session_mode: 'session/set_mode',
  set_session_model: 'session/set_model',
  fork_session: 'session/fork',
  resume_session: 'session/resume',
  prompt: 'session/prompt',
  cancel: 'session/cancel',
  set_session_config_option: 'session/set_config_option',
};

/** `_meta` keys of Punie's extensions (snake_case inside camelCase results, as Punie sends them). */
export const META_RESUME_TOKEN = 'resume_token';
/** Per-session sequence number of a `session/update`, used for loss-free resume. */
export const META_SEQ = 'seq';
/** On `session/resume`: the replay outcome (`replayed` n, or `gap` with a reason). */
export const META_REPLAY = 'replay';
/**
 * On `session/resume`: the request ids of prompts the client is still waiting for; the answer maps each
 * id to a {@link PromptStatus}.
 */
export const META_PROMPTS = 'prompts';

/**
 * Extension notification, numbered like a `session/update`: a prompt ended while the connection that
 * sent it was gone. Params `{sessionId, requestId, stopReason}` or `{sessionId, requestId, error}`.
 * Strict ACP clients ignore unknown `_` notifications.
 */
export const PROMPT_FINISHED = '_punie/prompt_finished';

/** Params of {@link PROMPT_FINISHED}. */
export const PromptFinishedParams = z.looseObject({
  sessionId: z.string(),
  requestId: z.union([z.string(), z.number()]),
  stopReason: z.string().optional(),
  error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional(),
  _meta: z.record(z.string(), z.unknown()).nullish(),
});
export type PromptFinishedParams = z.infer<typeof PromptFinishedParams>;

/**
 * Extension notification to a connection that lost a session to a newer connection of the same user
 * (another window): `{sessionId}`. The displaced client must not take the session back by itself.
 */
export const SESSION_TAKEN = '_punie/session_taken';

/** Extension request: `{sessionId, title}` renames a session (announced with `session_info_update`). */
export const SET_SESSION_TITLE = '_punie/set_session_title';
export const SetSessionTitleRequest = z.looseObject({ sessionId: z.string(), title: z.string().trim().min(1).max(200) });

/** Extension request: `{sessionId}` → `{sessionId, cwd, title, updatedAt, updates}`: a session's transcript, read only (nothing is attached or displaced). */
export const READ_SESSION = '_punie/read_session';

/** Extension notification: `{sessionId, message}` — the server cannot write the session to disk (it stays in memory). */
export const STORAGE_FAILED = '_punie/storage_failed';

/** What a server knows about a prompt request id of a session. */
export const PromptStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('running') }),
  z.object({ status: z.literal('finished'), stopReason: z.string() }),
  z.object({ status: z.literal('failed'), error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }) }),
  /** The server never received that prompt: the client may send it again. */
  z.object({ status: z.literal('unknown') }),
]);
export type PromptStatus = z.infer<typeof PromptStatus>;

/** Punie's `_meta` on the answers to `session/resume` and `session/load`. */
export const ResumeMeta = z.looseObject({
  [META_RESUME_TOKEN]: z.string().optional(),
  [META_SEQ]: z.number().optional(),
  [META_REPLAY]: z.looseObject({ status: z.string(), reason: z.string().optional() }).optional(),
  [META_PROMPTS]: z.record(z.string(), PromptStatus).optional(),
});
export type ResumeMeta = z.infer<typeof ResumeMeta>;

/** The answer to `session/resume` or `session/load`: ACP allows `null`, and Punie's extensions ride in `_meta`. */
export const ResumeResponse = z.looseObject({ _meta: ResumeMeta.nullish() }).nullable();
export type ResumeResponse = z.infer<typeof ResumeResponse>;

export function canonicalMethod(method: string): string {
  // Own keys only: a method named `constructor` must not pick up Object's.
  return Object.hasOwn(LEGACY_METHODS, method) ? LEGACY_METHODS[method] : method;
}

const snakeKey = /_([a-z0-9])/g;

/** `session_id` → `sessionId`; keys that are already camelCase, or start with `_`, pass unchanged. */
export function toCamelKey(key: string): string {
  if (key.startsWith('_') || !key.includes('_')) return key;
  return key.replace(snakeKey, (_m, c: string) => c.toUpperCase());
}

/**
 * Converts snake_case keys to camelCase, deeply, except inside `_meta` objects (whose keys belong to
 * their owners). When both spellings are present the camelCase one wins.
 */
export function camelizeParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeParams);
  if (value === null || typeof value !== 'object') return value;
  const entries: [string, unknown][] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (key === '_meta') {
      entries.push([key, inner]);
      continue;
    }
    const camel = toCamelKey(key);
    if (camel !== key && Object.prototype.hasOwnProperty.call(value, camel)) continue;
    entries.push([camel, camelizeParams(inner)]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays data and never sets a prototype.
  return Object.fromEntries(entries);
}

/**
 * `_meta` key on a `tool_call_update`: the permission request the agent made for that tool call and, once
 * known, its outcome. It rides on an update ACP v1 defines (a standard client ignores the key and sees an
 * update that changes nothing), so the question and the answer are in the session's log, are replayed by
 * `session/load`, and no client is ever sent a `sessionUpdate` kind it does not know.
 */
export const PERMISSION_META = 'punie/permission';

export const PermissionOutcomeRecord = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('selected'), optionId: z.string().max(200) }),
  /** Dismissed, or the turn was cancelled while it waited. */
  z.object({ outcome: z.literal('cancelled') }),
  /** No answer came (the request failed or its session ended); `reason` in plain words. */
  z.object({ outcome: z.literal('failed'), reason: z.string().max(500) }),
]);
export type PermissionOutcomeRecord = z.infer<typeof PermissionOutcomeRecord>;

/** The value under {@link PERMISSION_META}: no `outcome` while the question waits for its answer. */
export const PermissionRecord = z.object({
  title: z.string().max(4096),
  options: z
    .array(z.object({ optionId: z.string().max(200), name: z.string().max(500), kind: z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always']) }))
    .max(20),
  outcome: PermissionOutcomeRecord.optional(),
});
export type PermissionRecord = z.infer<typeof PermissionRecord>;

/**
 * `_meta` key on the first block of a prompt the extension sends: the chat's id for that question, so a
 * replayed question keeps it (and with it its checkpoint's "Restore"). The model never sees it.
 */
export const TURN_META = 'punie/turn';
