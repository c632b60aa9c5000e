/**
 * A session's model and mode as ACP config options: what `session/new|load|resume` return, what
 * `session/set_config_option` and the `/model` and `/mode` slash commands change, and the model list,
 * which grows in the background as model servers answer (sent as `config_option_update`). Changing the
 * model keeps the session and its conversation.
 */
import type { AvailableCommand, ContentBlock, SessionConfigOption } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { ModelError } from '../agent/models/types';
import { MODEL_OPTION, MODE_OPTION, MODES, configOptions } from '../agent/sessionConfig';
import { runInBackground } from '../util/background';
import type { ModelRegistry } from '../agent/models/registry';
import type { Logger } from '../util/logger';
import { ensureModelAllowed } from './modelPolicy';
import type { ServerOptions } from './options';
import type { ServerSession } from './serverSession';

/** What these need of a method's context (kept narrow so that methods.ts can import this file). */
interface MethodContext {
  models: ModelRegistry;
  options: { logger: Logger; now(): number } & Pick<ServerOptions, 'model' | 'allowedModels'>;
}

export const AVAILABLE_COMMANDS: AvailableCommand[] = [
  { name: 'model', description: 'Switch the model of this session; the conversation continues', input: { hint: 'a model, e.g. ollama:llama3.2' } },
  { name: 'mode', description: 'Switch the mode: default (asks before edits and commands) or read-only', input: { hint: 'default or read-only' } },
];

export function sessionConfig(ctx: MethodContext, session: ServerSession): SessionConfigOption[] {
  const model = session.agent.modelId;
  return configOptions(model, ctx.models.catalog.known(model), session.agent.mode);
}

/**
 * After a session/new|load|resume answer: the slash commands, then the model list once the model servers
 * have answered (if it changed). Deferred so that the answer with the session id reaches the client first.
 */
export function announceSession(ctx: MethodContext, session: ServerSession): void {
  setImmediate(() => {
    session.emit({ sessionUpdate: 'available_commands_update', availableCommands: AVAILABLE_COMMANDS });
    const before = sessionConfig(ctx, session)[0].options.length;
    runInBackground(
      `listing the models for session ${session.id}`,
      ctx.models.catalog.refresh(session.agent.modelId).then(() => {
        const now = sessionConfig(ctx, session);
        if (now[0].options.length !== before) session.emit({ sessionUpdate: 'config_option_update', configOptions: now });
      }),
      ctx.options.logger,
    );
  });
}

export function createModel(ctx: MethodContext, spec: string) {
  try {
    return ctx.models.create(spec);
  } catch (err) {
    if (err instanceof ModelError) throw new RpcError(ErrorCodes.InvalidParams, err.message, { configId: MODEL_OPTION, value: spec });
    throw err;
  }
}

/** Applies one option and returns the whole new list (what `session/set_config_option` answers). */
export function setConfigOption(ctx: MethodContext, session: ServerSession, configId: string, value: string | boolean): SessionConfigOption[] {
  if (typeof value !== 'string') throw new RpcError(ErrorCodes.InvalidParams, `Config option "${configId}" takes a value id, not a boolean`, { configId });
  if (configId === MODEL_OPTION) {
    // The operator's allowlist holds for every way a client picks a model.
    ensureModelAllowed(value, ctx.options);
    session.agent.setModel(createModel(ctx, value));
    session.record({ k: 'info', ts: ctx.options.now(), model: value });
    ctx.options.logger.info(`session ${session.id}: model is now ${value}`);
  } else if (configId === MODE_OPTION) {
    if (!MODES.some((m) => m.id === value)) {
      throw new RpcError(ErrorCodes.InvalidParams, `Unknown mode "${value}" (modes: ${MODES.map((m) => m.id).join(', ')})`, { configId, value });
    }
    session.agent.mode = value;
    session.record({ k: 'info', ts: ctx.options.now(), mode: value });
    // Clients of the older `modes` API learn of it this way.
    session.emit({ sessionUpdate: 'current_mode_update', currentModeId: value });
  } else {
    throw new RpcError(ErrorCodes.InvalidParams, `Unknown config option "${configId}" (options: ${MODEL_OPTION}, ${MODE_OPTION})`, { configId });
  }
  return sessionConfig(ctx, session);
}

/**
 * `/model [name]` and `/mode [name]` as a prompt: answered here without the model. Without a name the
 * answer lists the choices; an unknown name is explained in the answer, not failed.
 */
export function runSlashCommand(ctx: MethodContext, session: ServerSession, prompt: ContentBlock[]): boolean {
  if (prompt.length !== 1 || prompt[0].type !== 'text') return false;
  const match = /^\/(model|mode)(?:\s+(\S+))?\s*$/.exec(prompt[0].text.trim());
  if (!match) return false;
  const [, command, value] = match;
  const option = sessionConfig(ctx, session).find((o) => o.id === command)!;
  const say = (text: string) => session.agent.say(text);
  if (!value) {
    const choices = option.options.map((o) => `- \`${o.value}\`${o.value === option.currentValue ? ' (current)' : ''}${o.description ? ` — ${o.description}` : ''}`);
    say(`${option.name}: \`${option.currentValue}\`. Choose with \`/${command} <name>\`:\n\n${choices.join('\n')}\n`);
    return true;
  }
  try {
    const configOptions = setConfigOption(ctx, session, command, value);
    session.emit({ sessionUpdate: 'config_option_update', configOptions });
    say(command === MODEL_OPTION ? `The model is now \`${value}\`; the conversation continues with it.` : `The mode is now \`${value}\`.`);
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    say(`${option.name} unchanged: ${err.message}`);
  }
  return true;
}
