/**
 * `punie stdio`: an editor that speaks ACP over stdio (Zed, JetBrains, the ACP SDK's client) on one side,
 * a Punie server over WebSocket on the other, through the client manager — so a dropped or restarted
 * server is reconnected and its sessions resumed underneath the editor, whose in-flight prompts and
 * pending answers to the agent survive. stdout carries only ACP messages; logs go to the logger.
 *
 * The manager connects when the editor's `initialize` arrives, because only then are the editor's
 * capabilities known (the server offers tools by them); its answer is the server's own.
 */
import type { Readable, Writable } from 'node:stream';
import type { Message } from 'vscode-jsonrpc';
import { PunieClient, type ClientOptionsInput, type ConnectionState, type Disposable } from '../../client';
import { Methods, type ClientCapabilities, type InitializeResponse } from '../../protocol/acp';
import { ErrorCodes, RpcError, describeRequest } from '../../protocol/jsonrpc';
import { PUNIE_VERSION } from '../../util/version';
import { RpcEndpoint, type IncomingRequest } from '../../transport/endpoint';
import type { Logger } from '../../util/logger';
import { NdjsonMessageReader, NdjsonMessageWriter } from '../../transport/stdioTransport';
import { defaultFlowOptions, Flow, type FlowOptions } from './flow';
import { notification, route, type RouteContext } from './routes';
import { SessionWatch } from './sessionWatch';

export interface StdioBridgeOptions {
  input: Readable;
  output: Writable;
  url: string;
  token?: string;
  /** Model of new sessions the editor does not choose one for; the server's default when undefined. */
  model?: string;
  /** Largest line from the editor: the server's payload limit, so nothing the server would refuse is sent. */
  maxMessageBytes: number;
  logger: Logger;
  /** Client manager settings (reconnect attempts, timeouts); the URL, token and capabilities are the bridge's. */
  client?: Partial<ClientOptionsInput>;
  flow?: Partial<FlowOptions>;
}

export interface BridgeExit {
  code: number;
  reason: string;
}

/** How long an exit waits for stdout to take the last answers. */
const FLUSH_MS = 2000;

export class StdioBridge {
  readonly exited: Promise<BridgeExit>;
  readonly flow: Flow;
  private readonly editor: RpcEndpoint;
  private readonly reader: NdjsonMessageReader;
  private readonly watch = new SessionWatch();
  private client: PunieClient | undefined;
  private ready = false;
  private connecting: Promise<InitializeResponse> | undefined;
  private ending = false;
  private resolveExit!: (exit: BridgeExit) => void;

  constructor(private readonly options: StdioBridgeOptions) {
    const { input, output, logger } = options;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.flow = new Flow(input, output, { ...defaultFlowOptions, ...options.flow }, logger);
    this.reader = new NdjsonMessageReader(input, { maxMessageBytes: options.maxMessageBytes });
    this.reader.onInvalidFrame((frame) => logger.warn(`the editor sent an invalid message (${describeRequest(undefined, frame.id)}), answered with ${frame.error.code}: ${frame.error.message}`));
    this.editor = new RpcEndpoint(this.reader, new PacedWriter(output, () => this.flow.wrote()), logger);
    this.editor.onRequest((request) => this.request(request));
    this.editor.onNotification((method, params) => this.notification(method, params));
    // stdin's end closes the endpoint, which aborts the editor's running requests: their prompts are cancelled.
    this.editor.onClose(() => void this.end(0, 'the editor closed stdin'));
    output.on('error', (err) => void this.end(0, `stdout is gone (${err.message})`));
  }

  /** Bytes from the editor queued on the socket but not yet sent (what the stdin watermark bounds). */
  get serverBacklog(): number {
    return this.client?.bufferedAmount ?? 0;
  }

  /** Clean shutdown (a signal): running prompts are cancelled, the socket is closed with 1000. */
  shutdown(reason: string): Promise<BridgeExit> {
    void this.end(0, reason);
    return this.exited;
  }

  private request({ method, params, signal }: IncomingRequest): Promise<unknown> {
    const bytes = this.reader.lastMessageBytes;
    if (method === Methods.initialize) return this.initialize(params);
    const result = this.whenReady(method).then((ctx) => route(ctx, method, params, signal));
    this.flow.received(bytes, result);
    return result;
  }

  private notification(method: string, params: unknown): void {
    const ctx = this.ready ? this.routeContext() : undefined;
    if (ctx) notification(ctx, method, params);
    else this.options.logger.warn(`ignored ${method} from the editor: it came before initialize`);
  }

  private async whenReady(method: string): Promise<RouteContext> {
    if (this.connecting) await this.connecting.catch(() => {});
    if (!this.ready) throw new RpcError(ErrorCodes.InvalidRequest, `send initialize first: the bridge connects to the Punie server then (got ${method})`);
    return this.routeContext();
  }

  private routeContext(): RouteContext {
    return { client: this.client!, watch: this.watch, model: this.options.model, logger: this.options.logger };
  }

  /** The first initialize connects; a repeated one gets the same answer. */
  private initialize(params: unknown): Promise<InitializeResponse> {
    if (this.ready && this.client?.agent) return Promise.resolve(this.client.agent);
    this.connecting ??= this.connect(params).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(params: unknown): Promise<InitializeResponse> {
    const p = (params ?? {}) as { protocolVersion?: unknown; clientCapabilities?: ClientCapabilities; clientInfo?: { name?: unknown } };
    if (typeof p.protocolVersion !== 'number') throw new RpcError(ErrorCodes.InvalidParams, 'Invalid params for initialize: protocolVersion must be a number');
    const { url, token, logger } = this.options;
    const editorName = typeof p.clientInfo?.name === 'string' ? p.clientInfo.name : 'an editor';
    const client = new PunieClient({
      ...this.options.client,
      url,
      token,
      logger,
      capabilities: p.clientCapabilities ?? {},
      clientInfo: { name: `punie-stdio (${editorName})`, version: PUNIE_VERSION },
    });
    this.client = client;
    this.wire(client);
    try {
      await firstConnect(client);
    } catch (err) {
      this.client = undefined;
      await client.dispose();
      throw new RpcError(ErrorCodes.InternalError, `cannot reach the Punie server: ${(err as Error).message}`, { url });
    }
    if (this.ending) throw new RpcError(ErrorCodes.InternalError, 'the bridge is shutting down');
    this.ready = true;
    logger.info(`${editorName} is connected to ${client.agent!.agentInfo.name} at ${url}`);
    return client.agent!;
  }

  private wire(client: PunieClient): void {
    const { logger } = this.options;
    this.flow.attach(client);
    client.onStateChange((state) => this.stateChanged(client, state));
    client.onSessionLost((lost) => {
      logger.warn(`session ${lost.sessionId}: ${lost.reason}`);
      this.watch.lost(lost);
    });
    client.onUpdate((update) => {
      if (this.watch.forward(update)) this.editor.notify(Methods.sessionUpdate, update).catch(() => {});
    });
    // The server's request id goes to the editor unchanged; the manager answers a re-sent one from the first answer.
    client.setAgentRequestHandler((method, params, signal, id) => this.editor.request(method, params, { id, signal }));
  }

  private stateChanged(client: PunieClient, state: ConnectionState): void {
    if (client !== this.client) return;
    this.flow.setConnected(state.kind === 'connected');
    if (state.kind === 'failed' && this.ready) {
      this.options.logger.error(`giving up on the Punie server: ${state.reason}`);
      // The manager has just failed every pending call: let those answers reach stdout first.
      setImmediate(() => void this.end(1, state.reason));
    }
  }

  private async end(code: number, reason: string): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.options.logger.info(`stopping: ${reason}`);
    this.flow.dispose();
    this.editor.close(reason);
    await this.client?.dispose();
    await flush(this.options.output);
    this.resolveExit({ code, reason });
  }
}

/** The NDJSON writer, telling the flow control after every line. */
class PacedWriter extends NdjsonMessageWriter {
  constructor(
    output: Writable,
    private readonly wrote: () => void,
  ) {
    super(output);
  }

  override write(message: Message): Promise<void> {
    const written = super.write(message);
    this.wrote();
    return written;
  }
}

/** Resolves once connected; rejects with the reason when the very first attempt fails (retries are for drops later). */
async function firstConnect(client: PunieClient): Promise<void> {
  let listener: Disposable | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      listener = client.onStateChange((state) => {
        if (state.kind === 'reconnecting') reject(new Error(state.lastError));
      });
      client.start().then(resolve, reject);
    });
  } finally {
    listener?.dispose();
  }
}

function flush(output: Writable): Promise<void> {
  if (output.writableLength === 0 || output.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, FLUSH_MS);
    timer.unref();
    output.once('drain', () => (clearTimeout(timer), resolve()));
  });
}
