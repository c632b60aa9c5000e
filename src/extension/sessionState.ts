/**
 * What the chat knows of its session beyond the transcript: the ACP config options (model and mode), the
 * agent's slash commands and the last usage report. Fed by the `session/new` answer and by the session's
 * updates; read as the SessionView the composer shows. Before a session exists it shows the configured model.
 */
import type { SessionConfigOption, SessionUpdate } from '../protocol/acp';
import type { SessionView } from '../webview/protocol';

const FALLBACK_MODES = [
  { value: 'default', name: 'Default', description: 'Asks before it writes files or runs commands' },
  { value: 'read-only', name: 'Read only', description: 'Reads and searches; never writes files or runs commands' },
];
const BUILT_IN = ['test', 'test:tools'];
const KEPT = new Set<SessionUpdate['sessionUpdate']>(['config_option_update', 'available_commands_update', 'usage_update', 'current_mode_update']);

export class SessionState {
  private options: SessionConfigOption[] = [];
  private commands: SessionView['commands'] = [];
  private usage: SessionView['usage'];
  /** Updates of sessions not (yet) the chat's: a new session's first ones can arrive before its id is known. */
  private early: { sessionId: string; update: SessionUpdate }[] = [];

  /** A new session (or none): what the server said of it, and what it sent before that. */
  reset(options: readonly SessionConfigOption[] | null | undefined, sessionId?: string): void {
    this.options = [...(options ?? [])];
    this.commands = [];
    this.usage = undefined;
    const early = this.early.filter((e) => e.sessionId === sessionId);
    this.early = [];
    for (const e of early) this.apply(e.update);
  }

  setOptions(options: readonly SessionConfigOption[]): void {
    this.options = [...options];
  }

  /**
   * Applies an update; true if it is one this state keeps. With `otherSession` (an update of a session that
   * is not the chat's yet) it is only held, for `reset` of that session.
   */
  apply(update: SessionUpdate, otherSession?: string): boolean {
    if (otherSession !== undefined) {
      if (!KEPT.has(update.sessionUpdate)) return false;
      this.early = [...this.early.slice(-15), { sessionId: otherSession, update }];
      return true;
    }
    switch (update.sessionUpdate) {
      case 'config_option_update':
        this.options = [...update.configOptions];
        return true;
      case 'available_commands_update':
        this.commands = update.availableCommands.slice(0, 100).map((c) => ({ name: c.name, description: c.description, ...(c.input ? { hint: c.input.hint } : {}) }));
        return true;
      case 'usage_update':
        this.usage = { used: Math.max(0, update.used), size: Math.max(0, update.size) };
        return true;
      case 'current_mode_update': {
        const mode = this.find('mode');
        if (mode) mode.currentValue = update.currentModeId;
        return mode !== undefined;
      }
      default:
        return false;
    }
  }

  /** The option of this category, if the agent offers one. */
  find(category: 'model' | 'mode'): SessionConfigOption | undefined {
    return this.options.find((o) => o.category === category && o.type === 'select');
  }

  view(configuredModel: string, images: boolean): SessionView {
    const model = this.find('model');
    const mode = this.find('mode');
    const choices = (o: SessionConfigOption) => o.options.slice(0, 500).map((c) => ({ value: c.value, name: c.name, ...(c.description ? { description: c.description } : {}) }));
    return {
      model: model
        ? { current: model.currentValue, options: choices(model) }
        : { current: configuredModel, options: [...new Set([configuredModel, ...BUILT_IN])].map((v) => ({ value: v, name: v })) },
      mode: mode ? { current: mode.currentValue, options: choices(mode) } : { current: 'default', options: FALLBACK_MODES },
      commands: this.commands,
      usage: this.usage,
      images,
    };
  }
}
