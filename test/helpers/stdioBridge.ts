/**
 * `punie stdio` as an editor runs it: a child process (the CLI bundled once per test run, so startup is
 * fast and its memory is the bridge's alone), driven over its stdin/stdout — raw lines, or the ACP SDK's
 * own client (a real third-party peer) through {@link SdkEditor}.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { build } from 'esbuild';
import type * as sdk from '@agentclientprotocol/sdk' with { 'resolution-mode': 'import' };
import type { StopReason } from '../../src/protocol/acp';
import { EDITOR_METHODS, EditorSide, FULL_CAPABILITIES, type PermissionPolicy } from './editorSide';

const root = join(__dirname, '../..');
let bundle: Promise<string> | undefined;

/** dist/cli.js as `node esbuild.mjs` makes it, built into a temporary directory once. */
export function cliBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'punie-cli-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'cli.js');
    await build({ entryPoints: [join(root, 'src/cli/main.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
    return outfile;
  })();
  return bundle;
}

export class BridgeProcess {
  stderr = '';
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on('data', (d) => (this.stderr += d));
    this.exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `punie stdio ARGS`; PUNIE_TEST_LOG=1 copies its stderr to the test's. */
  static async start(args: string[]): Promise<BridgeProcess> {
    const child = spawn(process.execPath, [await cliBundle(), 'stdio', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (process.env.PUNIE_TEST_LOG) child.stderr.on('data', (d) => process.stderr.write(d));
    return new BridgeProcess(child);
  }

  /** Resident memory of the bridge process now (Linux). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  /** Sends raw text on stdin (a newline is not added). */
  send(text: string): void {
    this.child.stdin.write(text);
  }

  /** Kills it if it is still running (tests that fail midway). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exit;
  }
}

/** Collects stdout lines as parsed messages. */
export function readLines(bridge: BridgeProcess): any[] {
  const messages: any[] = [];
  let rest = '';
  bridge.child.stdout.setEncoding('utf8');
  bridge.child.stdout.on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) messages.push(JSON.parse(line));
  });
  return messages;
}

/** An editor made of the ACP SDK's client app over the bridge's stdio. */
export class SdkEditor extends EditorSide {
  private connection!: sdk.ClientConnection;

  static async connect(bridge: BridgeProcess, permission?: PermissionPolicy): Promise<SdkEditor> {
    const acp = await import('@agentclientprotocol/sdk');
    const editor = new SdkEditor(permission);
    let app = acp.client({ name: 'sdk-editor' }).onNotification(acp.methods.client.session.update, (ctx) => {
      editor.updates.push(ctx.params);
    });
    for (const method of EDITOR_METHODS) app = app.onRequest(method as 'fs/read_text_file', (ctx) => editor.handle(ctx.method, ctx.params, ctx.signal) as never);
    const stream = acp.ndJsonStream(Writable.toWeb(bridge.child.stdin), Readable.toWeb(bridge.child.stdout) as ReadableStream<Uint8Array>);
    editor.connection = app.connect(stream);
    return editor;
  }

  get agent(): sdk.ClientContext {
    return this.connection.agent;
  }

  initialize(capabilities = FULL_CAPABILITIES): Promise<sdk.InitializeResponse> {
    return this.agent.request('initialize', { protocolVersion: 1, clientCapabilities: capabilities as sdk.ClientCapabilities, clientInfo: { name: 'sdk-editor', version: '0.0.0' } });
  }

  async newSession(cwd: string, model?: string): Promise<string> {
    const result = await this.agent.request('session/new', { cwd, mcpServers: [], ...(model ? { _meta: { model } } : {}) });
    return result.sessionId;
  }

  async prompt(sessionId: string, text: string): Promise<StopReason> {
    const result = await this.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
    return result.stopReason;
  }

  cancel(sessionId: string): Promise<void> {
    return this.agent.notify('session/cancel', { sessionId });
  }

  close(): void {
    this.killTerminals();
    this.connection.close();
  }
}
