/**
 * The one invalid-frame plumbing behind every Punie reader (WebSocket, NDJSON): a vscode-jsonrpc reader
 * that also reports frames that are not valid messages, with the error to answer them with, so the
 * endpoint can answer instead of dropping them. An optional inbound filter (the server's rate limit and
 * size gate) sees every frame first. Kept small, since the server holds one per connection: listeners are
 * made on first use, and there is no second reader in front of it.
 */
import type { DataCallback, Disposable, Message, MessageReader } from 'vscode-jsonrpc';
import { Listeners, nothingToDispose } from '../util/listeners';
import { decodeFrame } from './frames';
import type { InvalidFrame, ProtocolErrorSource } from './types';

/** What an inbound filter does with a frame: serve it, answer it with an error instead, or drop it. */
export type FilterVerdict = 'pass' | 'drop' | InvalidFrame;

export interface InboundFilter {
  /** A valid message. */
  message(message: Message): FilterVerdict;
  /** A frame that was not a valid message (it is answered with `frame.error` when it passes). */
  invalid(frame: InvalidFrame): FilterVerdict;
}

export abstract class ProtocolMessageReader implements MessageReader, ProtocolErrorSource {
  private errors: Listeners<Error> | undefined;
  private closes: Listeners<void> | undefined;
  private invalids: Listeners<InvalidFrame> | undefined;

  constructor(private readonly filter?: InboundFilter) {}

  abstract listen(callback: DataCallback): Disposable;

  onError(listener: (error: Error) => void, thisArg?: unknown): Disposable {
    return (this.errors ??= new Listeners()).add(listener, thisArg);
  }

  onClose(listener: () => void, thisArg?: unknown): Disposable {
    return (this.closes ??= new Listeners()).add(listener, thisArg);
  }

  /** Frames are whole messages: there are never partial ones to report. */
  onPartialMessage(): Disposable {
    return nothingToDispose;
  }

  onInvalidFrame(listener: (frame: InvalidFrame) => void, thisArg?: unknown): Disposable {
    return (this.invalids ??= new Listeners()).add(listener, thisArg);
  }

  protected fireError(error: unknown): void {
    this.errors?.fire(error instanceof Error ? error : new Error(String(error)));
  }

  protected fireClose(): void {
    this.closes?.fire();
  }

  /** Decodes one frame's text: a message goes to `deliver`, an invalid one is reported, blank text is ignored. */
  protected decode(text: string, deliver: (message: Message) => void): void {
    const decoded = decodeFrame(text);
    if (decoded.kind === 'message') {
      const verdict = this.filter ? this.filter.message(decoded.message) : 'pass';
      if (verdict === 'pass') deliver(decoded.message);
      else if (verdict !== 'drop') this.invalids?.fire(verdict);
    } else if (decoded.kind === 'invalid') this.fireInvalidFrame({ id: decoded.id, error: decoded.error });
  }

  /** Reports a frame that was not a valid message (through the filter, which may refuse or drop it). */
  protected fireInvalidFrame(frame: InvalidFrame): void {
    const verdict = this.filter ? this.filter.invalid(frame) : 'pass';
    if (verdict === 'pass') this.invalids?.fire(frame);
    else if (verdict !== 'drop') this.invalids?.fire(verdict);
  }

  dispose(): void {
    this.errors?.clear();
    this.closes?.clear();
    this.invalids?.clear();
  }
}
