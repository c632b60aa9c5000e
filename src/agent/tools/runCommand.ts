/**
 * `run_command`: runs a command in a client terminal after the user allows it. A `command` without `args`
 * is a shell command line, run by the shell of the client's platform (judged by the cwd's path style);
 * with `args` the program is run directly, without a shell.
 */
import { z } from 'zod';
import { isWindowsPath, resolvePath } from './paths';
import { describeResult, runInTerminal, type CommandLine } from './terminal';
import { textContent, toolSpec, type AgentTool } from './types';

const Args = z.object({
  command: z.string().min(1).describe('A shell command line, or the program when args are given'),
  args: z.array(z.string()).optional().describe('Arguments of the program (no shell)'),
  cwd: z.string().min(1).optional().describe('Working directory, relative to the workspace root (default: the root)'),
});
type Args = z.infer<typeof Args>;

export function commandLine(args: Args, sessionCwd: string): CommandLine {
  const cwd = args.cwd ? resolvePath(sessionCwd, args.cwd) : sessionCwd;
  if (args.args) return { command: args.command, args: args.args, cwd };
  if (isWindowsPath(sessionCwd)) return { command: 'cmd.exe', args: ['/d', '/s', '/c', args.command], cwd };
  return { command: 'sh', args: ['-c', args.command], cwd };
}

export function commandLabel(args: Args): string {
  return args.args ? [args.command, ...args.args].join(' ') : args.command;
}

export const runCommandTool: AgentTool<Args> = {
  kind: 'execute',
  args: Args,
  spec: toolSpec(
    'run_command',
    'Run a command in the workspace and get its exit code and output. Without args, command is a shell ' +
      'command line; with args, command is the program and args its arguments. The user must approve it.',
    Args,
  ),
  available: (caps) => caps.terminal === true,
  present(args, { cwd }) {
    return { title: `Run \`${commandLabel(args)}\``, locations: [{ path: commandLine(args, cwd).cwd }], rawInput: args };
  },
  async run(args, ctx) {
    const label = commandLabel(args);
    const decision = await ctx.permissions.ask({
      host: ctx.host,
      sessionId: ctx.sessionId,
      mode: ctx.mode,
      kind: 'execute',
      toolCall: { toolCallId: ctx.toolCallId, title: `Run \`${label}\``, kind: 'execute', rawInput: args },
      signal: ctx.signal,
    });
    if (!decision.allowed) return { output: `The command \`${label}\` was not run: ${decision.reason}.`, failed: true };
    const result = await runInTerminal(commandLine(args, ctx.cwd), ctx);
    const text = describeResult(label, result);
    return {
      output: text,
      content: [{ type: 'terminal', terminalId: result.terminalId }, textContent(text)],
      failed: result.exitCode !== 0,
    };
  },
};
