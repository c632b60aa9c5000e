/**
 * The model and mode of the chat's session. With a session, the agent switches them in place (the
 * conversation goes on); the model also becomes the `punie.model` setting, so later sessions start with it.
 * A mode picked before the session exists is applied once it does. Changes run in order, and a question
 * waits for them: a model picked just before sending answers it.
 */
import * as vscode from 'vscode';
import type { SessionConfigOption } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { SECTION, readConfig } from './config';
import { describeFailure } from './failureText';
import type { ChatConnection } from './sessionAttach';
import type { SessionPointer } from './sessionPointer';
import type { SessionState } from './sessionState';
import type { TranscriptStore } from './transcriptStore';

export class SessionOptions {
  private pendingMode: string | undefined;
  private changes: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      connection: Pick<ChatConnection, 'current'>;
      pointer: SessionPointer;
      session: SessionState;
      transcript: Pick<TranscriptStore, 'notice'>;
      publishStatus(): void;
    },
  ) {}

  /** Resolves once every change asked for so far is applied (or failed). */
  get settled(): Promise<void> {
    return this.changes;
  }

  set(configId: 'model' | 'mode', value: string): Promise<void> {
    const change = this.changes.then(() => this.change(configId, value));
    this.changes = change.catch(() => {});
    return change;
  }

  /** A new session exists: the mode picked before it is applied. */
  async applyPending(): Promise<void> {
    if (this.pendingMode) await this.apply('mode', this.pendingMode);
    this.pendingMode = undefined;
  }

  async apply(configId: string, value: string): Promise<void> {
    const { pointer, transcript } = this.deps;
    const client = this.deps.connection.current;
    const sessionId = pointer.sessionId;
    if (!client || !sessionId) return;
    try {
      const answer = await client.request<{ configOptions?: SessionConfigOption[] }>('session/set_config_option', { sessionId, configId, value });
      if (answer.configOptions) this.deps.session.setOptions(answer.configOptions);
      if (configId === 'model') pointer.model = value;
    } catch (err) {
      if (err instanceof RpcError && err.code === ErrorCodes.MethodNotFound && configId === 'model') {
        // An older server without config options: the new model needs a new session.
        pointer.sessionId = undefined;
        transcript.notice('info', `This server cannot switch the model of a session: the next question starts a new session with ${value}.`);
      } else transcript.notice('error', `Could not switch the ${configId} to ${value}: ${describeFailure(err as Error).text}`);
    }
    this.deps.publishStatus();
  }

  private async change(configId: 'model' | 'mode', value: string): Promise<void> {
    if (!this.deps.connection.current || !this.deps.pointer.sessionId) {
      if (configId === 'mode') this.pendingMode = value;
      this.deps.publishStatus();
    } else await this.apply(configId, value);
    if (configId === 'model' && readConfig().model !== value) {
      await vscode.workspace.getConfiguration(SECTION).update('model', value, vscode.ConfigurationTarget.Global);
    }
  }
}
