/** What an agent session needs from whoever hosts it (the server): send updates, ask the client. */
import type { ClientCapabilities, SessionUpdate } from '../protocol/acp';
import type { ChatMessage } from './models/types';

export interface AgentHost {
  /** Sends (or buffers for resume) one `session/update` of this session. */
  emit(update: SessionUpdate): void;
  /** Sends an agent→client request to the session's client; rejects at once if it cannot be delivered. */
  request<T>(method: string, params: unknown, signal: AbortSignal): Promise<T>;
  /** The capabilities the session's client declared in `initialize` (none for Punie's Python clients). */
  clientCapabilities(): ClientCapabilities;
  /**
   * Messages just added to the model's history (a durable host writes them down). `streamed`: the first is
   * the turn's plain answer, exactly the text of the message chunks emitted since the prompt (so a log that
   * holds those chunks need not hold the answer again).
   */
  remember?(messages: readonly ChatMessage[], streamed: boolean): void;
}
