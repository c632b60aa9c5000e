/**
 * What the bridge owes the editor about sessions the client manager could not resume cleanly. The editor
 * keeps the session ids it was given, so the bridge remembers:
 * - sessions that expired on the server (the manager started a replacement the editor does not know):
 *   every later request for them gets a clear -32002 instead of a bare "unknown session";
 * - sessions reloaded after missed output could not be replayed: the transcript the manager receives is
 *   not forwarded (the editor would show the conversation twice), and a prompt that was running meanwhile
 *   fails with an error saying its answer is incomplete.
 */
import type { SessionLost } from '../../client';
import type { SessionNotification } from '../../protocol/acp';
import { ErrorCodes, RpcError } from '../../protocol/jsonrpc';

/** A prompt of the editor in progress; `incomplete` says why the editor did not see all of its output. */
export interface RunningPrompt {
  incomplete?: string;
}

/** Expired session ids remembered (the oldest are forgotten first). */
const KEEP_EXPIRED = 256;

export class SessionWatch {
  private readonly expired = new Map<string, string>();
  private readonly running = new Map<string, Set<RunningPrompt>>();
  private readonly replaying = new Set<string>();

  lost(event: SessionLost): void {
    if (event.recovery === 'reloaded') {
      for (const prompt of this.running.get(event.sessionId) ?? []) prompt.incomplete = event.reason;
      // The manager hands over the reloaded transcript synchronously right after this event.
      this.replaying.add(event.sessionId);
      setImmediate(() => this.replaying.delete(event.sessionId));
      return;
    }
    this.expired.set(event.sessionId, event.reason);
    for (const key of this.expired.keys()) {
      if (this.expired.size <= KEEP_EXPIRED) break;
      this.expired.delete(key);
    }
  }

  /** Whether an update goes to the editor: not the transcript of a reload it did not ask for. */
  forward(notification: SessionNotification): boolean {
    return !(this.replaying.has(notification.sessionId) && notification._meta?.replay === true);
  }

  /** The error for a request about a session that expired, if it did. */
  expiredError(sessionId: unknown): RpcError | undefined {
    const reason = typeof sessionId === 'string' ? this.expired.get(sessionId) : undefined;
    if (reason === undefined) return undefined;
    return new RpcError(ErrorCodes.ResourceNotFound, `session ${sessionId} is gone from the Punie server (${reason}); start a new session`, { sessionId });
  }

  start(sessionId: string): RunningPrompt {
    const prompt: RunningPrompt = {};
    let set = this.running.get(sessionId);
    if (!set) this.running.set(sessionId, (set = new Set()));
    set.add(prompt);
    return prompt;
  }

  end(sessionId: string, prompt: RunningPrompt): void {
    const set = this.running.get(sessionId);
    set?.delete(prompt);
    if (set?.size === 0) this.running.delete(sessionId);
  }
}
