/** How a session's MCP servers are started, called and restarted, and which ones are allowed at all. */
import { McpPolicy } from './policy';

export interface McpOptions {
  /** Which servers clients may ask for (`punie serve --allow-mcp`; none by default on a standalone server). */
  policy: McpPolicy;
  /** A server that has not started and listed its tools by then is reported and left out. */
  startTimeoutMs: number;
  /** A tool call with no answer (or progress) for this long fails. */
  callTimeoutMs: number;
  // Same shape as the client's reconnect options (delays, attempts, injectable clock and randomness) by design:
  // both are backoff policies; they stay two types because their limits and documentation differ.
  restart: {
    initialDelayMs: number;
    maxDelayMs: number;
    /** Restarts in a row before the server is given up (reported in the chat). */
    maxAttempts: number;
    /** A server that ran this long before exiting gets a fresh set of attempts. */
    minUptimeMs: number;
  };
  now: () => number;
  random: () => number;
  /** Runs `fn` after `ms`; returns a cancel. */
  schedule(fn: () => void, ms: number): () => void;
}

export const defaultMcpOptions: McpOptions = {
  policy: McpPolicy.none,
  startTimeoutMs: 30_000,
  callTimeoutMs: 300_000,
  restart: { initialDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 5, minUptimeMs: 60_000 },
  now: Date.now,
  random: Math.random,
  schedule(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
