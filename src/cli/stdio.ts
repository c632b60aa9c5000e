/**
 * `punie stdio`: the agent command an editor starts (Zed, JetBrains, any ACP stdio client). It bridges ACP
 * on stdin/stdout to a Punie server given by --server, or to one it embeds, through the client manager.
 */
import { McpPolicy } from '../agent/mcp/policy';
import { ModelError } from '../agent/models/types';
import { defaultAgentSessionOptions } from '../agent/session';
import { defaultServerOptions } from '../server/options';
import { ModelRegistry } from '../agent/models/registry';
import { defaultDataDir } from '../util/dataDir';
import { startEmbedded } from './embedded';
import { createLogger, isLogLevel } from '../util/logger';
import { intOption, parse, UsageError } from './args';
import { setLastLineLog } from './lastLine';
import { StdioBridge } from './bridge/bridge';
import { givenToken } from './token';
import { randomToken } from '../util/randomToken';
import { runInBackground } from '../util/background';

export const stdioHelp = `Usage: punie stdio [options]

Speaks ACP on stdin/stdout for an editor that starts agents as a child process (Zed, JetBrains, the ACP
SDK's client), bridged to a Punie server over WebSocket. A dropped or restarted server is reconnected and
sessions are resumed underneath the editor. stdout carries only ACP messages; logs go to stderr.
  --server <url>             a Punie server, e.g. ws://127.0.0.1:8000/acp (default: start one in this process)
  --token <t>                bearer token for --server (default: $PUNIE_TOKEN)
  --token-file <path>        read that token from a file (keeps it out of the process list)
  --model <spec>             model of the embedded server (default: $PUNIE_MODEL or test), or of new sessions
                             on --server (default: the server's); test:tools shows every tool path
  --data-dir <dir>           sessions of the embedded server, kept across runs (default: $PUNIE_DATA_DIR or the
                             user data dir + /punie); in memory only while another server holds it
  --retries <n>              reconnect attempts in a row before giving up (default: no limit)
  --max-message-bytes <n>    largest message from the editor; set it to the server's --max-payload
                             (default 16777216, or the embedded server's limit)
  --log-level <level>        trace, debug, info, warn, error (default info)

An invalid line on stdin is answered with -32700, a line over the limit with -32600 under its id; the end
of stdin cancels running prompts, closes the connection and exits 0. Exit 1: the server cannot be used
any more (refused the token, gave up reconnecting); the reason is on stderr.
`;

export async function stdio(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    server: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    model: { type: 'string' },
    'data-dir': { type: 'string' },
    retries: { type: 'string' },
    'max-message-bytes': { type: 'string' },
    'log-level': { type: 'string' },
  });
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level must be trace, debug, info, warn or error, got "${level}"`);
  if (values.server !== undefined && !/^wss?:\/\/./.test(values.server)) throw new UsageError(`--server must be a ws:// or wss:// URL, got "${values.server}"`);
  const retries = values.retries === undefined ? undefined : Math.max(1, intOption('retries', values.retries, 0));
  const write = (line: string) => process.stderr.write(line + '\n');
  const logger = createLogger(level, write, '[stdio] ');
  setLastLineLog(logger, { stackInError: true });

  // The embedded server is for this editor alone: a fresh token keeps other local processes out.
  const token = values.server ? givenToken({ token: values.token, tokenFile: values['token-file'] }) : randomToken();
  const model = values.model ?? (values.server ? undefined : process.env.PUNIE_MODEL);
  // The editor runs its MCP servers as its user anyway: the embedded server may start them.
  const agent = { ...defaultAgentSessionOptions, mcp: { ...defaultAgentSessionOptions.mcp, policy: McpPolicy.all } };
  const serverLogger = createLogger(level, write, '[server] ');
  if (!values.server && model) {
    try {
      new ModelRegistry().create(model); // a bad model fails now, not at the editor's first session/new
    } catch (err) {
      if (err instanceof ModelError) throw new UsageError(`--model: ${err.message}`);
      throw err;
    }
  }
  // Sessions are kept like `punie ask`'s: an editor that starts this command again gets them back (session/list, session/load).
  const embedded = values.server ? undefined : await startEmbedded({ model, token, agent, logger: serverLogger, dataDir: values['data-dir'] ?? defaultDataDir() }, false);
  const url = values.server ?? embedded!.urls.acp;
  const maxMessageBytes = intOption('max-message-bytes', values['max-message-bytes'], (embedded?.server.options ?? defaultServerOptions).maxPayload);

  const bridge = new StdioBridge({
    input: process.stdin,
    output: process.stdout,
    url,
    token,
    model: values.server ? values.model : undefined,
    maxMessageBytes,
    logger,
    client: { reconnect: { maxAttempts: retries } },
  });
  const stop = (signal: string) => runInBackground('shutting down', bridge.shutdown(`received ${signal}`), logger);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const exit = await bridge.exited;
  await embedded?.server.close();
  if (exit.code !== 0) throw new Error(exit.reason);
}
