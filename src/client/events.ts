/** A minimal typed event: listeners are called in order, and one that throws is logged, never fatal. */
import type { Logger } from '../util/logger';
import type { Disposable } from './types';

export class Emitter<T> {
  private listeners: ((value: T) => void)[] = [];

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  event = (listener: (value: T) => void): Disposable => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };

  fire(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch (err) {
        this.logger.error(`a ${this.name} listener failed: ${(err as Error).message}`);
      }
    }
  }
}
