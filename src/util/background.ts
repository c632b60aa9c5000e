/**
 * Deliberate fire-and-forget: the one way to start a promise nobody awaits. A rejection is logged with what was
 * being done instead of surfacing as an unhandled rejection (which ends a Node process), so lint can forbid bare
 * `void promise` everywhere else.
 */
export interface BackgroundLog {
  warn(message: string): void;
}

export function runInBackground(what: string, work: PromiseLike<unknown> | (() => PromiseLike<unknown>), log?: BackgroundLog): void {
  let promise: PromiseLike<unknown>;
  try {
    promise = typeof work === 'function' ? work() : work;
  } catch (err) {
    report(what, err, log);
    return;
  }
  Promise.resolve(promise).then(undefined, (err: unknown) => report(what, err, log));
}

function report(what: string, err: unknown, log?: BackgroundLog): void {
  const message = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
  try {
    log?.warn(message);
  } catch {
    // A logger that throws (a disposed output channel) must not turn a handled failure into an unhandled one.
  }
}
