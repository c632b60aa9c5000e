/** What a tool is, and what it gets to run: the session's client (through the host), its cwd, the turn's signal. */
import { z } from 'zod';
import type { ClientCapabilities, ToolCallContent, ToolCallUpdateFields, ToolKind } from '../../protocol/acp';
import type { AgentHost } from '../host';
import type { ToolSpec } from '../models/types';
import type { PermissionGate } from './permission';

export interface ToolLimits {
  /** Most bytes of command output kept (the client truncates from the start; so do we). */
  outputByteLimit: number;
  /** Most characters of one tool result sent back to the model. */
  maxResultChars: number;
}

export interface ToolContext {
  sessionId: string;
  cwd: string;
  /** `default` or `read-only` (read-only denies writes and commands without asking). */
  mode: string;
  host: AgentHost;
  permissions: PermissionGate;
  limits: ToolLimits;
  /** Aborted when the turn is cancelled; every client request of the tool passes it on. */
  signal: AbortSignal;
  toolCallId: string;
  /** Sends a `tool_call_update` for this call (status is managed by the runner). */
  update(fields: Omit<ToolCallUpdateFields, 'toolCallId' | 'status'>): void;
}

/** How the call is shown before it runs: the `tool_call` fields besides id and status. */
export interface ToolPresentation {
  title: string;
  locations?: { path: string; line?: number | null }[];
  rawInput?: unknown;
}

export interface ToolResult {
  /** Text given back to the model. */
  output: string;
  /** What the client shows as the call's final content. */
  content?: ToolCallContent[];
  /** The call did not do what was asked (denied, command failed to start, client error): status `failed`. */
  failed?: boolean;
}

export interface AgentTool<A = unknown> {
  spec: ToolSpec;
  kind: ToolKind;
  /** Parses the model's arguments; errors go back to the model as a failed call. */
  args: z.ZodType<A>;
  /** Offered only when the client can do it. */
  available(capabilities: ClientCapabilities): boolean;
  present(args: A, ctx: Pick<ToolContext, 'cwd'>): ToolPresentation;
  run(args: A, ctx: ToolContext): Promise<ToolResult>;
}

/** A tool's spec for the model: the JSON Schema of its arguments is made from the zod schema that parses them. */
export function toolSpec(name: string, description: string, args: z.ZodType): ToolSpec {
  const { $schema: _, ...parameters } = z.toJSONSchema(args, { io: 'input' });
  return { name, description, parameters };
}

export function textContent(text: string): ToolCallContent {
  return { type: 'content', content: { type: 'text', text } };
}
