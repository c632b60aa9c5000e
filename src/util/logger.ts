/** The logging interface every layer takes; the CLI writes it to stderr, the extension to its log channel. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'off';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Whether trace lines are kept; callers skip building costly trace text (protocol frames) when not. */
  traceEnabled?(): boolean;
}

const order: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 5 };

export function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(order, value);
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** A logger that writes lines at or above `level` through `write`. */
export function createLogger(level: LogLevel, write: (line: string) => void, prefix = ''): Logger {
  const at = (l: LogLevel) => (message: string) => {
    if (order[l] >= order[level]) write(`${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} ${prefix}${message}`);
  };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), traceEnabled: () => level === 'trace' };
}

/** How much of one protocol frame a trace line shows. */
const MAX_FRAME_TRACE = 2000;

/** A frame for a trace line: JSON, cut to a readable length (redact the line before writing it). */
export function frameText(message: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(message) ?? String(message);
  } catch (err) {
    text = `(a frame that cannot be serialised: ${(err as Error).message})`;
  }
  return text.length > MAX_FRAME_TRACE ? `${text.slice(0, MAX_FRAME_TRACE)}… (${text.length} chars)` : text;
}

/** Replaces bearer tokens and resume tokens in a log line. */
export function redact(text: string): string {
  return text
    .replace(/(Bearer\s+)[^\s"']+/gi, '$1[redacted]')
    .replace(/("(?:resume_token|resumeToken|token)"\s*:\s*")[^"]*"/g, '$1[redacted]"');
}
