/**
 * Zod schemas for the ACP v1 messages Punie sends or accepts. Inbound params are parsed with these
 * schemas; outbound values are typed by the inferred types. `test/protocol/sdk-types.test.ts`
 * checks at compile time that the inferred types agree with `@agentclientprotocol/sdk`.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

const meta = z.record(z.string(), z.unknown()).nullish();

export const Annotations = z.looseObject({
  audience: z.array(z.enum(['assistant', 'user'])).nullish(),
  priority: z.number().nullish(),
  lastModified: z.string().nullish(),
});

export const TextContent = z.looseObject({ type: z.literal('text'), text: z.string(), annotations: Annotations.nullish(), _meta: meta });
export const ImageContent = z.looseObject({
  type: z.literal('image'),
  data: z.string(),
  mimeType: z.string(),
  uri: z.string().nullish(),
  annotations: Annotations.nullish(),
  _meta: meta,
});
export const AudioContent = z.looseObject({ type: z.literal('audio'), data: z.string(), mimeType: z.string(), annotations: Annotations.nullish(), _meta: meta });
// Content schemas mirror ACP's own types field for field (checked against the SDK in test/protocol/sdk-types.test.ts),
// so their shapes repeat as the spec's do.
export const ResourceLink = z.looseObject({
  type: z.literal('resource_link'),
  uri: z.string(),
  name: z.string(),
  mimeType: z.string().nullish(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  size: z.number().nullish(),
  annotations: Annotations.nullish(),
  _meta: meta,
});
export const EmbeddedResource = z.looseObject({
  type: z.literal('resource'),
  resource: z.union([
    z.looseObject({ uri: z.string(), text: z.string(), mimeType: z.string().nullish(), _meta: meta }),
    z.looseObject({ uri: z.string(), blob: z.string(), mimeType: z.string().nullish(), _meta: meta }),
  ]),
  annotations: Annotations.nullish(),
  _meta: meta,
});
export const ContentBlock = z.discriminatedUnion('type', [TextContent, ImageContent, AudioContent, ResourceLink, EmbeddedResource]);
export type ContentBlock = z.infer<typeof ContentBlock>;

export const Implementation = z.looseObject({ name: z.string(), title: z.string().nullish(), version: z.string(), _meta: meta });

export const ClientCapabilities = z.looseObject({
  fs: z.looseObject({ readTextFile: z.boolean().optional(), writeTextFile: z.boolean().optional(), _meta: meta }).optional(),
  terminal: z.boolean().optional(),
  _meta: meta,
});
export type ClientCapabilities = z.infer<typeof ClientCapabilities>;

export const InitializeRequest = z.looseObject({
  protocolVersion: z.number().int().nonnegative(),
  clientCapabilities: ClientCapabilities.optional(),
  clientInfo: Implementation.nullish(),
  _meta: meta,
});
export type InitializeRequest = z.infer<typeof InitializeRequest>;

export const AgentCapabilities = z.object({
  loadSession: z.boolean().optional(),
  promptCapabilities: z.object({ image: z.boolean(), audio: z.boolean(), embeddedContext: z.boolean() }).optional(),
  mcpCapabilities: z.object({ http: z.boolean(), sse: z.boolean() }).optional(),
  sessionCapabilities: z
    .object({ list: z.object({}).optional(), resume: z.object({}).optional(), close: z.object({}).optional(), delete: z.object({}).optional() })
    .optional(),
  _meta: meta,
});
export const InitializeResponse = z.object({
  protocolVersion: z.number(),
  agentCapabilities: AgentCapabilities,
  authMethods: z.array(z.object({ id: z.string(), name: z.string(), description: z.string().nullish() })),
  agentInfo: Implementation,
  _meta: meta,
});
export type InitializeResponse = z.infer<typeof InitializeResponse>;

const EnvVariable = z.object({ name: z.string(), value: z.string() });
export const McpServer = z.union([
  z.looseObject({ type: z.literal('http'), name: z.string(), url: z.string(), headers: z.array(EnvVariable) }),
  z.looseObject({ type: z.literal('sse'), name: z.string(), url: z.string(), headers: z.array(EnvVariable) }),
  z.looseObject({ name: z.string(), command: z.string(), args: z.array(z.string()), env: z.array(EnvVariable) }),
]);

export const NewSessionRequest = z.looseObject({
  cwd: z.string(),
  mcpServers: z.array(McpServer),
  additionalDirectories: z.array(z.string()).optional(),
  _meta: meta,
});
export type NewSessionRequest = z.infer<typeof NewSessionRequest>;

export const SessionModeState = z.object({
  currentModeId: z.string(),
  availableModes: z.array(z.object({ id: z.string(), name: z.string(), description: z.string().nullish() })),
});
/** A session setting the client shows as a picker (ACP config options; Punie sends `select` ones only). */
export const SessionConfigSelectOption = z.object({ value: z.string(), name: z.string(), description: z.string().nullish(), _meta: meta });
export const SessionConfigOption = z.object({
  type: z.literal('select'),
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  category: z.string().nullish(),
  currentValue: z.string(),
  options: z.array(SessionConfigSelectOption),
  _meta: meta,
});
export type SessionConfigOption = z.infer<typeof SessionConfigOption>;
/** What `session/load` and `session/resume` answer. */
export const LoadSessionResponse = z.object({
  modes: SessionModeState.nullish(),
  configOptions: z.array(SessionConfigOption).nullish(),
  _meta: meta,
});
export type LoadSessionResponse = z.infer<typeof LoadSessionResponse>;
/** `session/new` answers what load does, plus the new session's id. */
export const NewSessionResponse = LoadSessionResponse.extend({ sessionId: z.string() });
export type NewSessionResponse = z.infer<typeof NewSessionResponse>;

export const LoadSessionRequest = z.looseObject({
  sessionId: z.string(),
  cwd: z.string(),
  mcpServers: z.array(McpServer),
  _meta: meta,
});
export type LoadSessionRequest = z.infer<typeof LoadSessionRequest>;

/**
 * `session/resume`. Punie's dialect carries the resume token as a top-level `resumeToken`; strict ACP
 * clients put it in `_meta.resume_token`. `_meta.seq` is the last update sequence number the client saw.
 */
export const ResumeSessionRequest = LoadSessionRequest.extend({
  mcpServers: z.array(McpServer).optional(),
  resumeToken: z.string().optional(),
});
export type ResumeSessionRequest = z.infer<typeof ResumeSessionRequest>;

export const ListSessionsRequest = z.looseObject({ cwd: z.string().nullish(), cursor: z.string().nullish(), _meta: meta });
export const SessionInfo = z.object({
  sessionId: z.string(),
  cwd: z.string(),
  title: z.string().nullish(),
  updatedAt: z.string().nullish(),
  _meta: meta,
});
export const ListSessionsResponse = z.object({ sessions: z.array(SessionInfo), nextCursor: z.string().nullish(), _meta: meta });
export type ListSessionsResponse = z.infer<typeof ListSessionsResponse>;

export const PromptRequest = z.looseObject({ sessionId: z.string(), prompt: z.array(ContentBlock), _meta: meta });
export type PromptRequest = z.infer<typeof PromptRequest>;

export const StopReason = z.enum(['end_turn', 'max_tokens', 'max_turn_requests', 'refusal', 'cancelled']);
export type StopReason = z.infer<typeof StopReason>;
export const PromptResponse = z.object({ stopReason: StopReason, _meta: meta });
export type PromptResponse = z.infer<typeof PromptResponse>;

export const CancelNotification = z.looseObject({ sessionId: z.string(), _meta: meta });
export const SetModeRequest = z.looseObject({ sessionId: z.string(), modeId: z.string(), _meta: meta });
/** `session/set_config_option`: Punie's options are all `select`s, so a boolean value is refused by the handler. */
export const SetConfigOptionRequest = z.looseObject({
  sessionId: z.string(),
  configId: z.string(),
  type: z.string().optional(),
  value: z.union([z.string(), z.boolean()]),
  _meta: meta,
});
export const SetConfigOptionResponse = z.object({ configOptions: z.array(SessionConfigOption), _meta: meta });
export type SetConfigOptionResponse = z.infer<typeof SetConfigOptionResponse>;
export const SessionIdOnly = z.looseObject({ sessionId: z.string(), _meta: meta });

// --- session/update -------------------------------------------------------------------------------

export const ToolKind = z.enum(['read', 'edit', 'delete', 'move', 'search', 'execute', 'think', 'fetch', 'switch_mode', 'other']);
export type ToolKind = z.infer<typeof ToolKind>;
export const ToolCallStatus = z.enum(['pending', 'in_progress', 'completed', 'failed']);
export type ToolCallStatus = z.infer<typeof ToolCallStatus>;
export const ToolCallLocation = z.object({ path: z.string(), line: z.number().int().nullish(), _meta: meta });
export const ToolCallContent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('content'), content: ContentBlock, _meta: meta }),
  z.object({ type: z.literal('diff'), path: z.string(), oldText: z.string().nullish(), newText: z.string(), _meta: meta }),
  z.object({ type: z.literal('terminal'), terminalId: z.string(), _meta: meta }),
]);
export type ToolCallContent = z.infer<typeof ToolCallContent>;

const toolCallFields = {
  toolCallId: z.string(),
  title: z.string(),
  kind: ToolKind.optional(),
  status: ToolCallStatus.optional(),
  content: z.array(ToolCallContent).optional(),
  locations: z.array(ToolCallLocation).optional(),
  rawInput: z.unknown().optional(),
  rawOutput: z.unknown().optional(),
  _meta: meta,
};
export const ToolCall = z.object(toolCallFields);
export const ToolCallUpdateFields = z.object({ ...toolCallFields, title: z.string().nullish() });
export type ToolCallUpdateFields = z.infer<typeof ToolCallUpdateFields>;

export const PlanEntry = z.object({
  content: z.string(),
  priority: z.enum(['high', 'medium', 'low']),
  status: z.enum(['pending', 'in_progress', 'completed']),
  _meta: meta,
});

export const AvailableCommand = z.object({ name: z.string(), description: z.string(), input: z.object({ hint: z.string() }).nullish(), _meta: meta });
export type AvailableCommand = z.infer<typeof AvailableCommand>;

const chunk = <T extends string>(tag: T) =>
  z.object({ sessionUpdate: z.literal(tag), content: ContentBlock, messageId: z.string().nullish(), _meta: meta });

export const SessionUpdate = z.discriminatedUnion('sessionUpdate', [
  chunk('user_message_chunk'),
  chunk('agent_message_chunk'),
  chunk('agent_thought_chunk'),
  ToolCall.extend({ sessionUpdate: z.literal('tool_call') }),
  ToolCallUpdateFields.extend({ sessionUpdate: z.literal('tool_call_update') }),
  z.object({ sessionUpdate: z.literal('plan'), entries: z.array(PlanEntry), _meta: meta }),
  z.object({
    sessionUpdate: z.literal('available_commands_update'),
    availableCommands: z.array(AvailableCommand),
    _meta: meta,
  }),
  z.object({ sessionUpdate: z.literal('current_mode_update'), currentModeId: z.string(), _meta: meta }),
  z.object({ sessionUpdate: z.literal('config_option_update'), configOptions: z.array(SessionConfigOption), _meta: meta }),
  z.object({
    sessionUpdate: z.literal('usage_update'),
    used: z.number(),
    size: z.number(),
    cost: z.object({ amount: z.number(), currency: z.string(), _meta: meta }).nullish(),
    _meta: meta,
  }),
  z.object({ sessionUpdate: z.literal('session_info_update'), title: z.string().nullish(), updatedAt: z.string().nullish(), _meta: meta }),
]);
export type SessionUpdate = z.infer<typeof SessionUpdate>;

export const SessionNotification = z.object({ sessionId: z.string(), update: SessionUpdate, _meta: meta });
export type SessionNotification = z.infer<typeof SessionNotification>;

// --- agent → client requests --------------------------------------------------------------------------

export const PermissionOptionKind = z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always']);
export type PermissionOptionKind = z.infer<typeof PermissionOptionKind>;
export const PermissionOption = z.object({ optionId: z.string(), name: z.string(), kind: PermissionOptionKind, _meta: meta });
export type PermissionOption = z.infer<typeof PermissionOption>;
export const RequestPermissionRequest = z.object({
  sessionId: z.string(),
  toolCall: ToolCallUpdateFields,
  options: z.array(PermissionOption),
  _meta: meta,
});
export type RequestPermissionRequest = z.infer<typeof RequestPermissionRequest>;
export const RequestPermissionResponse = z.looseObject({
  outcome: z.union([
    z.looseObject({ outcome: z.literal('cancelled') }),
    z.looseObject({ outcome: z.literal('selected'), optionId: z.string() }),
  ]),
  _meta: meta,
});
export type RequestPermissionResponse = z.infer<typeof RequestPermissionResponse>;

/**
 * Punie's extension of an allow answer to a proposed write (`_meta["punie/review"]`): the client reviewed
 * the diff and the user changed the proposal (edited it, or rejected some hunks). `content` is then the
 * exact text to write instead of the proposal; `note` says in words what the user changed.
 */
export const REVIEW_META = 'punie/review';
export const ReviewMeta = z.looseObject({
  content: z.string(),
  note: z.string().max(4096),
});
export type ReviewMeta = z.infer<typeof ReviewMeta>;

export const ReadTextFileRequest = z.object({
  sessionId: z.string(),
  path: z.string(),
  line: z.number().int().nullish(),
  limit: z.number().int().nullish(),
  _meta: meta,
});
export type ReadTextFileRequest = z.infer<typeof ReadTextFileRequest>;
export const ReadTextFileResponse = z.looseObject({ content: z.string(), _meta: meta });
export const WriteTextFileRequest = z.object({ sessionId: z.string(), path: z.string(), content: z.string(), _meta: meta });
export type WriteTextFileRequest = z.infer<typeof WriteTextFileRequest>;

export const CreateTerminalRequest = z.object({
  sessionId: z.string(),
  command: z.string(),
  args: z.array(z.string()).optional(),
  env: z.array(EnvVariable).optional(),
  cwd: z.string().nullish(),
  outputByteLimit: z.number().int().nullish(),
  _meta: meta,
});
export type CreateTerminalRequest = z.infer<typeof CreateTerminalRequest>;
export const CreateTerminalResponse = z.looseObject({ terminalId: z.string(), _meta: meta });
export const TerminalRequest = z.object({ sessionId: z.string(), terminalId: z.string(), _meta: meta });
export type TerminalRequest = z.infer<typeof TerminalRequest>;
export const TerminalExitStatus = z.looseObject({ exitCode: z.number().int().nullish(), signal: z.string().nullish() });
export const TerminalOutputResponse = z.looseObject({
  output: z.string(),
  truncated: z.boolean(),
  exitStatus: TerminalExitStatus.nullish(),
  _meta: meta,
});
export const WaitForExitResponse = TerminalExitStatus;

/** Method names of ACP v1 that Punie uses. */
export const Methods = {
  initialize: 'initialize',
  authenticate: 'authenticate',
  sessionNew: 'session/new',
  sessionLoad: 'session/load',
  sessionResume: 'session/resume',
  sessionList: 'session/list',
  sessionPrompt: 'session/prompt',
  sessionCancel: 'session/cancel',
  sessionSetMode: 'session/set_mode',
  sessionSetConfigOption: 'session/set_config_option',
  sessionClose: 'session/close',
  sessionDelete: 'session/delete',
  sessionUpdate: 'session/update',
  requestPermission: 'session/request_permission',
  fsRead: 'fs/read_text_file',
  fsWrite: 'fs/write_text_file',
  terminalCreate: 'terminal/create',
  terminalOutput: 'terminal/output',
  terminalWaitForExit: 'terminal/wait_for_exit',
  terminalKill: 'terminal/kill',
  terminalRelease: 'terminal/release',
  cancelRequest: '$/cancel_request',
} as const;
