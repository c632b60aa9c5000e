/**
 * Where the client connects: the local agent server, started in this extension host on 127.0.0.1 with a
 * random token on first use, or a remote server from the settings with its token from SecretStorage.
 * Remote tokens are stored per URL, so a URL changed by someone else never receives another server's token.
 */
import { setTimeout as delay } from 'node:timers/promises';
import * as vscode from 'vscode';
import { McpPolicy } from '../agent/mcp/policy';
import { ModelRegistry } from '../agent/models/registry';
import { defaultAgentSessionOptions } from '../agent/session';
import { PunieServer, type ServerUrls } from '../server/server';
import { LOCAL_USER } from '../server/users';
import { DataDirLockedError } from '../store/lock';
import type { Logger } from '../util/logger';
import { SingleFlight } from '../util/singleFlight';
import { runInBackground } from '../util/background';
import { randomToken } from '../util/randomToken';
import type { PunieConfig, ServerMode } from './config';
import { checkServerUrl } from './serverUrl';

export interface ServerEndpoint {
  mode: ServerMode;
  /** ws:// URL of the Punie dialect endpoint. */
  url: string;
  token?: string;
}

interface LocalServer {
  server: PunieServer;
  urls: ServerUrls;
  token: string;
  requestedPort: number;
  /** The limits it was started with; changed limits restart it. */
  limits: string;
}

const LOCAL_TOKEN_KEY = 'punie.localServer.token';
/** A window being reloaded may still hold the data dir for a moment while its old extension host shuts down. */
const LOCK_RETRY_MS = 250;
const LOCK_WAIT_MS = 3000;
const remoteTokenKey = (url: string) => `punie.remoteToken:${url}`;

export class ServerHost implements vscode.Disposable {
  private local: LocalServer | undefined;
  private readonly starting = new SingleFlight<LocalServer>();
  /** Counts stops, so a start that a stop overtook never becomes the current server. */
  private stops = 0;
  /** `punie.model` as last read: the one model (besides the built-in ones) the local server lets sessions use. */
  private model = 'test';
  /** A stop in progress: a new server waits for it (a fixed port is free only then). */
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Logger,
    private readonly createModels: () => ModelRegistry = () => new ModelRegistry(),
    /** Where the local server keeps its sessions (undefined: in memory only). */
    private readonly dataDir: () => string | undefined = () => undefined,
  ) {}

  /** The endpoint for these settings; starts the local server if it is needed and not running. */
  async resolve(config: PunieConfig): Promise<ServerEndpoint> {
    this.model = config.model;
    if (config.mode === 'remote') {
      const problem = checkServerUrl(config.remoteUrl, config.allowInsecureRemote);
      if (problem) throw new Error(`punie.server.url "${config.remoteUrl}" is not usable: ${problem}. Run "Punie: Connect to Remote Server…".`);
      if (config.allowInsecureRemote && checkServerUrl(config.remoteUrl)) {
        const warning = `Punie connects to ${config.remoteUrl} over plain ws:// (punie.server.allowInsecureRemote): the token and your code cross the network unencrypted.`;
        this.log.warn(warning);
        runInBackground('the insecure-connection warning', vscode.window.showWarningMessage(warning), this.log);
      }
      return { mode: 'remote', url: config.remoteUrl, token: (await this.secrets.get(remoteTokenKey(config.remoteUrl))) || undefined };
    }
    const local = await this.ensureLocal(config);
    return { mode: 'local', url: local.urls.ws, token: local.token };
  }

  get localUrls(): { urls: ServerUrls; token: string } | undefined {
    return this.local && { urls: this.local.urls, token: this.local.token };
  }

  async setRemoteToken(url: string, token: string | undefined): Promise<void> {
    if (token) await this.secrets.store(remoteTokenKey(url), token);
    else await this.secrets.delete(remoteTokenKey(url));
  }

  /** Stops the in-process server; it is forgotten at once, so the next `resolve` starts a new one (after this one closed). */
  stopLocal(): Promise<void> {
    const local = this.local;
    const pending = this.starting.take();
    this.local = undefined;
    this.stops++;
    if (!local && !pending) return this.stopping ?? Promise.resolve();
    const previous = this.stopping;
    const stopping = (async () => {
      await previous;
      const server = local ?? (await pending?.catch(() => undefined));
      if (!server) return;
      await server.server.close();
      this.log.info(`local server on ${server.urls.ws} stopped`);
    })().finally(() => {
      if (this.stopping === stopping) this.stopping = undefined;
    });
    this.stopping = stopping;
    return stopping;
  }

  dispose(): void {
    runInBackground('stop the local server', this.stopLocal(), this.log);
  }

  private async ensureLocal(config: PunieConfig): Promise<LocalServer> {
    if (this.local && (this.local.requestedPort !== config.localPort || this.local.limits !== JSON.stringify(config.localLimits))) runInBackground('stop the local server', this.stopLocal(), this.log);
    if (this.local) return this.local;
    const stops = this.stops;
    const local = await this.starting.run(() => this.startLocal(config));
    // A start that a stopLocal overtook is closed by that stop and never becomes the current server.
    if (stops === this.stops) this.local = local;
    return local;
  }

  private async startLocal(config: PunieConfig): Promise<LocalServer> {
    await this.stopping;
    const token = await this.localToken(config.localPort);
    const dataDir = this.dataDir();
    const deadline = performance.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        return await this.listenLocal(config, token, dataDir);
      } catch (err) {
        if (!(err instanceof DataDirLockedError)) throw err;
        if (performance.now() < deadline) {
          await delay(LOCK_RETRY_MS);
          continue;
        }
        // Another window on the same folder holds it: this one still works, its sessions just are not kept.
        this.log.warn(`${err.message}; the local server of this window keeps its sessions in memory only`);
        return this.listenLocal(config, token, undefined);
      }
    }
  }

  private async listenLocal(config: PunieConfig, token: string, dataDir: string | undefined): Promise<LocalServer> {
    const server = new PunieServer(
      {
        host: '127.0.0.1',
        port: config.localPort,
        token,
        // One local user whatever the fresh token: sessions are the user's, not the token's.
        localUser: LOCAL_USER,
        dataDir,
        model: config.model,
        allowedModels: () => [this.model],
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        ...config.localLimits,
        // The user's own MCP servers, started as the user, as VS Code itself would.
        agent: { ...defaultAgentSessionOptions, mcp: { ...defaultAgentSessionOptions.mcp, policy: McpPolicy.all } },
        logger: prefixed(this.log, '[server] '),
      },
      this.createModels(),
    );
    try {
      const urls = await server.listen();
      if (dataDir) this.log.info(`local server keeps its sessions in ${dataDir}`);
      return { server, urls, token, requestedPort: config.localPort, limits: JSON.stringify(config.localLimits) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new Error(`port ${config.localPort} is in use. Change punie.server.localPort (0 picks a free port) or connect to that server as a remote.`);
      }
      throw err;
    }
  }

  /** An ephemeral port gets a fresh token per start; a fixed (shared) port keeps one, so other clients can reuse it. */
  private async localToken(port: number): Promise<string> {
    if (port === 0) return randomToken();
    const kept = await this.secrets.get(LOCAL_TOKEN_KEY);
    if (kept) return kept;
    const token = randomToken();
    await this.secrets.store(LOCAL_TOKEN_KEY, token);
    return token;
  }
}

function prefixed(log: Logger, prefix: string): Logger {
  return {
    trace: (m) => log.trace(prefix + m),
    debug: (m) => log.debug(prefix + m),
    info: (m) => log.info(prefix + m),
    warn: (m) => log.warn(prefix + m),
    error: (m) => log.error(prefix + m),
  };
}
