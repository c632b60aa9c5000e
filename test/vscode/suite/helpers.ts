/** Shared helpers of the in-editor suite: the extension's test API, settings, polling, `punie serve` children, a TCP proxy. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PunieTestApi } from '../../../src/extension/testApi';
import type { RenderReport } from '../../../src/webview/protocol';

export const EXTENSION_ID = 'punie.punie';

export async function punie(): Promise<PunieTestApi> {
  const extension = vscode.extensions.getExtension<PunieTestApi | undefined>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
  const api = await extension.activate();
  assert.ok(api, 'a development/test activation exports the test API');
  return api;
}

/** Sets user settings (undefined removes one) and waits for VS Code to apply them. */
export async function settings(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration();
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
}

/** Polls until `check` returns a value (not undefined/false), or fails with what it was waiting for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The session the chat shows, after asking a first question when it shows none (agent requests of other sessions are background ones). */
export async function shownSession(): Promise<string> {
  const { chat } = (await punie()).services();
  if (!chat.currentSessionId) await vscode.commands.executeCommand('punie.ask', 'hello');
  assert.ok(chat.currentSessionId, 'the chat shows a session');
  return chat.currentSessionId;
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with a workspace folder open');
  return folder.uri.fsPath;
}

export function agentText(report: RenderReport): string {
  return report.items.filter((i) => i.kind === 'agent').map((i) => i.text).join('\n');
}

export function lastOf(report: RenderReport, kind: string) {
  return [...report.items].reverse().find((i) => i.kind === kind);
}

export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `punie serve` from the extension's own dist/cli.js and waits for the URLs it prints. */
export async function startServe(args: string[]): Promise<ServeProcess> {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node.
  const child = spawn(process.execPath, [cli, 'serve', ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`punie serve printed no URL in 15 s: ${out} ${stderr}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /Punie clients:\s+(ws:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`punie serve exited with ${code}: ${stderr}`)));
  });
  const port = Number(new URL(url).port);
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return { url, port, child, stop };
}

/** A TCP proxy in front of a server: dropping it is a network outage the server does not see as a crash. */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(port = this.port): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Cuts every connection at once (RST, like a dead network) and stops listening. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Heartbeat and reconnect settings short enough that a suite sees a lost server come back within seconds. */
export const QUICK_RECONNECT = {
  'punie.heartbeat.intervalMs': 1000,
  'punie.reconnect.initialDelayMs': 200,
  'punie.reconnect.maxDelayMs': 1000,
};

/** Sets `values` as user settings for the enclosing describe block and removes them after it. */
export function settingsForSuite(values: Record<string, unknown>): void {
  before(() => settings(values));
  after(() => settings(Object.fromEntries(Object.keys(values).map((key) => [key, undefined]))));
}

/** The `punie serve` child and TCP proxy a test starts: both are stopped after each test. */
export function remoteFixture(): { serve?: ServeProcess; proxy?: TcpProxy } {
  const fixture: { serve?: ServeProcess; proxy?: TcpProxy } = {};
  afterEach(async () => {
    await fixture.proxy?.stop();
    await fixture.serve?.stop('SIGKILL');
    fixture.proxy = fixture.serve = undefined;
  });
  return fixture;
}
