/**
 * What became of a session's recent prompts, by request id. A client whose connection dropped asks on
 * resume, so a prompt that finished while it was away still completes with its real stopReason, and a
 * prompt the server never received can be sent again.
 */
import type { RequestId } from '../protocol/jsonrpc';
import type { PromptStatus } from '../protocol/punie';

export class PromptLog {
  private readonly entries = new Map<string, PromptStatus>();

  /** Keeps at most `max` finished prompts (running ones are never evicted). */
  constructor(private readonly max = 64) {}

  started(id: RequestId): void {
    this.entries.delete(key(id));
    this.entries.set(key(id), { status: 'running' });
    this.trim();
  }

  ended(id: RequestId, status: PromptStatus): void {
    this.entries.set(key(id), status);
  }

  status(id: RequestId): PromptStatus {
    return this.entries.get(key(id)) ?? { status: 'unknown' };
  }

  private trim(): void {
    for (const [k, status] of this.entries) {
      if (this.entries.size <= this.max) return;
      if (status.status !== 'running') this.entries.delete(k);
    }
  }
}

/** `7` and `"7"` are different JSON-RPC ids. */
function key(id: RequestId): string {
  return JSON.stringify(id);
}
