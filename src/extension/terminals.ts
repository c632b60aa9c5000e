/**
 * `terminal/*`: runs the agent's commands as child processes in the workspace with an output cap, and can
 * show any of them to the user as a VS Code terminal that replays the output so far and follows it live.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { CreateTerminalRequest } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { Logger } from '../util/logger';
import { OutputBuffer } from './outputBuffer';

export interface ExitStatus {
  exitCode: number | null;
  signal: string | null;
}

interface Command {
  id: string;
  commandLine: string;
  process: ChildProcess;
  output: OutputBuffer;
  exit: ExitStatus | undefined;
  exited: Promise<ExitStatus>;
  live: vscode.EventEmitter<string>;
  terminal: vscode.Terminal | undefined;
}

/** Finished commands kept for "Show terminal" after the agent released them. */
const KEEP_RELEASED = 20;
const KILL_GRACE_MS = 2000;

export class TerminalManager implements vscode.Disposable {
  private readonly commands = new Map<string, Command>();
  private readonly released: string[] = [];

  constructor(
    private readonly log: Logger,
    private readonly defaultLimitBytes: () => number,
  ) {}

  create(request: CreateTerminalRequest, defaultCwd: string | undefined): { terminalId: string } {
    const args = request.args ?? [];
    const cwd = request.cwd ?? defaultCwd;
    const env = { ...process.env, ...Object.fromEntries((request.env ?? []).map((e) => [e.name, e.value])) };
    // A command without args is a command line (`npm test -- --grep x`), so it goes through the shell.
    const child = spawn(request.command, args, { cwd, env, shell: args.length === 0, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    const id = `term-${randomUUID()}`;
    const output = new OutputBuffer(request.outputByteLimit ?? this.defaultLimitBytes());
    const live = new vscode.EventEmitter<string>();
    const commandLine = [request.command, ...args].join(' ');
    const command: Command = { id, commandLine, process: child, output, exit: undefined, exited: undefined!, live, terminal: undefined };
    const onData = (data: Buffer) => {
      const text = data.toString('utf8');
      output.append(text);
      live.fire(text);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    command.exited = new Promise<ExitStatus>((resolve) => {
      child.once('error', (err) => {
        const text = `${err.message}\n`;
        output.append(text);
        live.fire(text);
        command.exit = { exitCode: 127, signal: null };
        resolve(command.exit);
      });
      child.once('close', (code, signal) => {
        command.exit ??= { exitCode: code, signal };
        live.fire(`\n[exit ${signal ?? code}]\n`);
        resolve(command.exit);
      });
    });
    this.commands.set(id, command);
    this.log.info(`terminal ${id}: ${commandLine} (cwd ${cwd ?? 'default'})`);
    return { terminalId: id };
  }

  output(id: string): { output: string; truncated: boolean; exitStatus: ExitStatus | null } {
    const command = this.get(id);
    return { output: command.output.text(), truncated: command.output.truncated, exitStatus: command.exit ?? null };
  }

  async waitForExit(id: string, signal: AbortSignal): Promise<ExitStatus> {
    const command = this.get(id);
    return Promise.race([
      command.exited,
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new RpcError(ErrorCodes.RequestCancelled, 'wait cancelled')), { once: true })),
    ]);
  }

  kill(id: string): null {
    const command = this.get(id);
    if (command.exit) return null;
    this.signal(command, 'SIGTERM');
    setTimeout(() => command.exit || this.signal(command, 'SIGKILL'), KILL_GRACE_MS).unref();
    return null;
  }

  /** The agent is done with it: stop it if still running; keep its output for the user for a while. */
  release(id: string): null {
    const command = this.get(id);
    if (!command.exit) this.kill(id);
    this.released.push(id);
    while (this.released.length > KEEP_RELEASED) this.forget(this.released.shift()!);
    return null;
  }

  show(id: string): boolean {
    const command = this.commands.get(id);
    if (!command) return false;
    if (!command.terminal || command.terminal.exitStatus !== undefined) command.terminal = this.createView(command);
    command.terminal.show(true);
    return true;
  }

  dispose(): void {
    for (const id of [...this.commands.keys()]) this.forget(id);
  }

  private createView(command: Command): vscode.Terminal {
    const write = new vscode.EventEmitter<string>();
    const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
    let sub: vscode.Disposable | undefined;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      open: () => {
        write.fire(crlf(`$ ${command.commandLine}\n${command.output.text()}`));
        sub = command.live.event((text) => write.fire(crlf(text)));
      },
      close: () => {
        sub?.dispose();
        write.dispose();
      },
      handleInput: (data) => {
        if (data === '\x03') this.kill(command.id);
      },
    };
    return vscode.window.createTerminal({ name: `Punie: ${command.commandLine.slice(0, 40)}`, pty });
  }

  private get(id: string): Command {
    const command = this.commands.get(id);
    if (!command) throw new RpcError(ErrorCodes.ResourceNotFound, `unknown terminal ${id} (released or never created)`);
    return command;
  }

  private signal(command: Command, name: NodeJS.Signals): void {
    try {
      // Detached children lead their own process group: signal the whole group (the shell and what it started).
      if (command.process.pid && process.platform !== 'win32') process.kill(-command.process.pid, name);
      else command.process.kill(name);
    } catch {
      command.process.kill(name);
    }
  }

  private forget(id: string): void {
    const command = this.commands.get(id);
    if (!command) return;
    if (!command.exit) this.signal(command, 'SIGKILL');
    command.live.dispose();
    this.commands.delete(id);
  }
}
