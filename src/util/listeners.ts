/**
 * The listeners of one event of an object held once per connection (readers, writers): nothing is
 * allocated before the first listener and one listener needs no array. vscode-jsonrpc's Emitter pre-grows
 * two arrays and makes a closure per event, which a thousand idle connections pay for in memory.
 */
import type { Disposable } from 'vscode-jsonrpc';

/** What subscribing to an event that never fires returns. */
export const nothingToDispose: Disposable = { dispose() {} };

type Listener<T> = (value: T) => void;

export class Listeners<T> {
  private one: Listener<T> | undefined;
  private oneThis: unknown;
  private more: [Listener<T>, unknown][] | undefined;

  /** `thisArg` (vscode-jsonrpc's `thisArgs`) lets a holder pass one of its methods instead of a closure. */
  add(listener: Listener<T>, thisArg?: unknown): Disposable {
    if (!this.one && !this.more) {
      this.one = listener;
      this.oneThis = thisArg;
    } else {
      this.more ??= [[this.one!, this.oneThis]];
      this.more.push([listener, thisArg]);
      this.one = this.oneThis = undefined;
    }
    return { dispose: () => this.remove(listener) };
  }

  fire(value: T): void {
    if (this.one) this.one.call(this.oneThis, value);
    else if (this.more) for (const [listener, thisArg] of [...this.more]) listener.call(thisArg, value);
  }

  clear(): void {
    this.one = this.oneThis = this.more = undefined;
  }

  private remove(listener: Listener<T>): void {
    if (this.one === listener) this.one = this.oneThis = undefined;
    else if (this.more) this.more = this.more.filter(([l]) => l !== listener);
  }
}
