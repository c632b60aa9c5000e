/**
 * The CLI's last line of defence: an error nothing caught (a bug, never a peer's doing) is logged with its
 * stack and the process goes on. One that came from a server connection's work ends that connection only
 * (see server/boundary.ts). The command decides where the stack goes: `punie serve` and `punie stdio`
 * log to stderr, which is their log; `punie ask` shows its user one line and keeps the stack for debug.
 */
import { endOwnerOf } from '../server/boundary';

export interface LastLineLog {
  error(message: string): void;
  debug(message: string): void;
}

let log: LastLineLog = { error: (message) => process.stderr.write(`${message}\n`), debug: () => {} };
let stackInError = true;
let reporting = false;

/** Where the last line reports, from now on; `stackInError` false keeps the stack out of the one-line error. */
export function setLastLineLog(next: LastLineLog, options: { stackInError: boolean }): void {
  log = next;
  stackInError = options.stackInError;
}

export function installLastLine(): void {
  process.on('unhandledRejection', (reason) => report('an unhandled rejection', reason));
  process.on('uncaughtException', (err) => report('an uncaught exception', err));
}

/** Writing to a terminal or pipe that is gone: nobody is left to talk to, so the process ends as it always did. */
function outputGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'EIO';
}

function report(kind: string, err: unknown): void {
  if (outputGone(err)) process.exit(1);
  // A report that fails (its own output is gone) must not report itself again and again.
  if (reporting) return;
  reporting = true;
  try {
    const ended = endOwnerOf(err);
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error ? (err.stack ?? message) : message;
    const line = `punie hit an internal error (${kind}) and keeps running${ended ? '; the connection it came from was closed' : ''}: ${message}`;
    if (stackInError) log.error(`${line}\n${stack}`);
    else {
      log.error(line);
      log.debug(stack);
    }
  } catch {
    // Reporting must never become the failure that ends the process.
  } finally {
    reporting = false;
  }
}
