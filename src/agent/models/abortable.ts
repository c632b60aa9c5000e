import type { ChatModel } from './types';

/** Resolves after `ms`, or rejects as soon as `signal` aborts — so a cancelled turn never waits out a delay. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error(reason instanceof Error ? reason.message : 'aborted');
  err.name = 'AbortError';
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** The model, with a stream that ends the moment the turn is cancelled even if the model is stuck waiting. */
export function abortGuarded(model: ChatModel): ChatModel {
  return {
    id: model.id,
    get contextSize() {
      return model.contextSize;
    },
    get acceptsImages() {
      return model.acceptsImages;
    },
    stream: (request) => untilAborted(model.stream(request), request.signal),
  };
}

/**
 * Iterates `source`, but stops waiting the moment `signal` aborts (throwing an AbortError) even if the
 * source ignores the signal — so a cancelled turn answers at once whatever the model does.
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  // One abort listener for the whole stream rejects whichever next() is pending; racing every item against
  // one long-lived promise instead would pile up a reaction per item for the whole stream.
  let rejectPending: ((err: Error) => void) | undefined;
  const onAbort = () => rejectPending?.(abortError(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    while (true) {
      if (signal.aborted) throw abortError(signal);
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        rejectPending = reject;
        iterator.next().then(resolve, reject);
      });
      rejectPending = undefined;
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Closing a source that is stuck in next() may never settle; do not wait for it.
    if (!finished) Promise.resolve(iterator.return?.()).catch(() => {});
  }
}
