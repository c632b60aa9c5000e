/**
 * The client's events: vscode-jsonrpc's Emitter (listeners in order, a throwing one never stops the
 * others), with a throwing listener reported to our logger instead of the console.
 */
import { Emitter as JsonRpcEmitter, type Disposable, type Event } from 'vscode-jsonrpc';
import type { Logger } from '../util/logger';

export class Emitter<T> extends JsonRpcEmitter<T> {
  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  override get event(): Event<T> {
    const add = super.event;
    return (listener: (value: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]): Disposable =>
      add(
        (value) => {
          try {
            listener.call(thisArgs, value);
          } catch (err) {
            this.logger.error(`a ${this.name} listener failed: ${(err as Error).message}`);
          }
        },
        undefined,
        disposables,
      );
  }
}
