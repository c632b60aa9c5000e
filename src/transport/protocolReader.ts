/**
 * The one invalid-frame plumbing behind every Punie reader (WebSocket, NDJSON) and the server's inbound
 * gate: a vscode-jsonrpc reader that also reports frames that are not valid messages, with the error to
 * answer them with, so the endpoint can answer instead of dropping them.
 */
import { AbstractMessageReader, Emitter, type Message } from 'vscode-jsonrpc';
import { decodeFrame } from './frames';
import type { InvalidFrame, ProtocolErrorSource } from './types';

export abstract class ProtocolMessageReader extends AbstractMessageReader implements ProtocolErrorSource {
  private readonly invalidEmitter = new Emitter<InvalidFrame>();
  readonly onInvalidFrame = this.invalidEmitter.event;

  protected fireInvalidFrame(frame: InvalidFrame): void {
    this.invalidEmitter.fire(frame);
  }

  /** Decodes one frame's text: a message goes to `deliver`, an invalid one is reported, blank text is ignored. */
  protected decode(text: string, deliver: (message: Message) => void): void {
    const decoded = decodeFrame(text);
    if (decoded.kind === 'message') deliver(decoded.message);
    else if (decoded.kind === 'invalid') this.fireInvalidFrame({ id: decoded.id, error: decoded.error });
  }

  override dispose(): void {
    super.dispose();
    this.invalidEmitter.dispose();
  }
}
