/** Test helpers for MCP: the reference "everything" server started by path, options with short timings, pid checks. */
import { join } from 'node:path';
import { defaultMcpOptions, type McpOptions } from '../../src/agent/mcp/options';
import { McpPolicy } from '../../src/agent/mcp/policy';

/** The npm package's entry, run with this Node (never `npx`: no network, no install at test time). */
export const EVERYTHING_SERVER = join(__dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');

export function everythingStdio(name = 'everything') {
  return { name, command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], env: [] };
}

export const testMcpOptions: McpOptions = {
  ...defaultMcpOptions,
  policy: McpPolicy.all,
  startTimeoutMs: 20_000,
  restart: { initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 2, minUptimeMs: 60_000 },
  random: () => 1,
};

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
