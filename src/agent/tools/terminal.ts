/**
 * Runs one command in a client terminal: terminal/create → wait_for_exit → output → release. The wait has
 * no time cap (a build may take long); cancelling the turn aborts it, and the terminal is always released
 * (which kills the command if it still runs).
 */
import { CreateTerminalResponse, Methods, TerminalOutputResponse, WaitForExitResponse } from '../../protocol/acp';
import type { ToolContext } from './types';

export interface CommandLine {
  command: string;
  args: string[];
  cwd: string;
}

export interface CommandResult {
  terminalId: string;
  exitCode: number | null;
  signal: string | null;
  output: string;
  truncated: boolean;
}

export async function runInTerminal(line: CommandLine, ctx: ToolContext): Promise<CommandResult> {
  const { host, sessionId, signal } = ctx;
  const created = CreateTerminalResponse.parse(
    await host.request(
      Methods.terminalCreate,
      { sessionId, command: line.command, args: line.args, cwd: line.cwd, outputByteLimit: ctx.limits.outputByteLimit },
      signal,
    ),
  );
  const terminalId = created.terminalId;
  ctx.update({ content: [{ type: 'terminal', terminalId }] });
  try {
    const exit = WaitForExitResponse.parse((await host.request(Methods.terminalWaitForExit, { sessionId, terminalId }, signal)) ?? {});
    const out = TerminalOutputResponse.parse(await host.request(Methods.terminalOutput, { sessionId, terminalId }, signal));
    const kept = keepTail(out.output, ctx.limits.outputByteLimit);
    return {
      terminalId,
      exitCode: exit.exitCode ?? out.exitStatus?.exitCode ?? null,
      signal: exit.signal ?? out.exitStatus?.signal ?? null,
      output: kept.text,
      truncated: out.truncated || kept.cut,
    };
  } finally {
    // Released even when the turn was cancelled, so with a signal of its own; nobody waits for it.
    host.request(Methods.terminalRelease, { sessionId, terminalId }, new AbortController().signal).catch(() => {});
  }
}

/** Keeps the last `maxBytes` bytes of UTF-8, cut on a character boundary (as ACP truncates terminal output). */
export function keepTail(text: string, maxBytes: number): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, cut: false };
  let start = bytes.length - maxBytes;
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  return { text: bytes.subarray(start).toString('utf8'), cut: true };
}

/** How a command's result reads to the model. */
export function describeResult(label: string, result: CommandResult): string {
  const status = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode ?? 'unknown'}`;
  const note = result.truncated ? ' (output truncated; the start is missing)' : '';
  return `\`${label}\` ${status}${note}.\n${result.output || '(no output)'}`;
}
