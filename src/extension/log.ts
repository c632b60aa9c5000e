/**
 * The "Punie" log: a LogOutputChannel, so the user picks the level (Developer: Set Log Level… or the
 * channel's gear). At trace level it shows the protocol frames (⇢ sent, ⇠ received); every line goes
 * through `redact` first, so tokens never reach the log.
 */
import * as vscode from 'vscode';
import { redact, type Logger } from '../util/logger';

export interface PunieLog extends Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** True when trace lines are kept: callers skip building expensive trace text otherwise. */
  readonly tracing: boolean;
  show(): void;
}

export function createLog(): PunieLog {
  const channel = vscode.window.createOutputChannel('Punie', { log: true });
  const tracing = () => channel.logLevel === vscode.LogLevel.Trace;
  return {
    channel,
    get tracing() {
      return tracing();
    },
    traceEnabled: tracing,
    trace: (m) => tracing() && channel.trace(redact(m)),
    debug: (m) => channel.debug(redact(m)),
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m) => channel.error(redact(m)),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
