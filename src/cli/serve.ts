/** `punie serve`: the agent server, standalone, until Ctrl-C. */
import { ModelError } from '../agent/models/types';
import { McpPolicy } from '../agent/mcp/policy';
import { defaultAgentSessionOptions } from '../agent/session';
import { PunieServer } from '../server/server';
import { loadUsersFile } from '../server/users';
import { DAY_MS } from '../store/retention';
import { defaultDataDir } from '../util/dataDir';
import { createLogger, isLogLevel } from '../util/logger';
import { setLastLineLog } from './lastLine';
import { intOption, parse, UsageError } from './args';
import { limitArgSpecs, limitHelp, limitOptions } from './limitFlags';
import { storeTarget } from './storeFlags';
import { configDir, givenToken, storedServerToken } from './token';

export const serveHelp = `Usage: punie serve [options]

Runs the Punie agent server.
  --host <addr>          address to bind (default 127.0.0.1; anything else requires a token)
  --port <n>             port (default 8000; 0 picks a free one)
  --model <spec>         default model (default: $PUNIE_MODEL or test): test, test:tools (scripted tool demo),
                         ollama:<model>, local:http://host:port/v1/<model>, openai:<model> (needs OPENAI_API_KEY)
  --max-steps <n>        most model requests in one prompt turn (default 25)
  --token <t>            the token clients must send (default: $PUNIE_TOKEN, else a generated one kept in
                         a user-only file under your config dir; the server prints where)
  --token-file <path>    read the token from this file (keeps it out of the process list)
  --allow-model <p>      a model clients may pick for their sessions; * matches anything (repeatable;
                         default: --model and the built-in test models)
  --allow-origin <o>     allow browser pages from this exact Origin (repeatable)
  --allow-mcp <list>     MCP servers clients may have this server start or call (default none): stdio, http,
                         sse, all, or <kind>:<pattern> with * wildcards (e.g. http:https://mcp.example.com/*);
                         stdio servers run as this server's user — see docs/mcp.md
  --heartbeat-ms <n>     ping interval; a client missing two pongs is dropped (default 15000)
  --idle-timeout-ms <n>  close a silent connection with no running prompt (default 1800000)
  --grace-ms <n>         keep a disconnected client's sessions in memory for resume (default 300000)
  --data-dir <dir>       where sessions are kept across restarts (default: $PUNIE_DATA_DIR, else
                         $XDG_DATA_HOME/punie or the platform's user data dir); one server per dir
  --session-retention <days>  delete sessions untouched this many days (default 30)
  --store-max-mb <n>     total size of stored sessions; the oldest go first beyond it (default 2048)
  --store <url>          fleet mode: keep sessions in Redis (redis://host:port/db or rediss://…), shared
                         by every server started with the same URL, instead of --data-dir; the password
                         comes from $PUNIE_REDIS_PASSWORD or --redis-password-file (see docs/fleet.md)
  --redis-password-file <path>  read the Redis password from this file
  --store-buffer-mb <n>  a session's output kept while Redis is away; beyond it its turn fails (default 16)
  --lease-ms <n>         fleet: a server silent this long is taken for dead and its turns interrupted
                         (default 15000)
  --allow-host <name>    a Host name clients may use besides the bound address (a load balancer's; repeatable)
  --users-file <file>    several users: JSON {"name": "sha256:<hex of sha256(token)>"}; without it the
                         one token (or none on loopback) is the user "default"
  --log-level <level>    trace, debug, info, warn, error (default info)

Limits (docs/limits.md explains each):
${limitHelp()}`;

export async function serve(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    model: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'allow-model': { type: 'string', multiple: true },
    'allow-origin': { type: 'string', multiple: true },
    'allow-mcp': { type: 'string', multiple: true },
    'heartbeat-ms': { type: 'string' },
    'idle-timeout-ms': { type: 'string' },
    'grace-ms': { type: 'string' },
    'data-dir': { type: 'string' },
    'session-retention': { type: 'string' },
    'store-max-mb': { type: 'string' },
    'users-file': { type: 'string' },
    store: { type: 'string' },
    'redis-password-file': { type: 'string' },
    'store-buffer-mb': { type: 'string' },
    'lease-ms': { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
    'max-steps': { type: 'string' },
    'log-level': { type: 'string' },
    ...limitArgSpecs,
  });
  const maxSteps = intOption('max-steps', values['max-steps'], defaultAgentSessionOptions.turn.maxSteps);
  if (maxSteps < 1) throw new UsageError('--max-steps must be at least 1');
  const mcp = { ...defaultAgentSessionOptions.mcp, policy: mcpPolicy(values['allow-mcp'] ?? []) };
  const model = values.model ?? process.env.PUNIE_MODEL ?? 'test';
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level must be trace, debug, info, warn or error, got "${level}"`);
  const logger = createLogger(level, (line) => process.stderr.write(line + '\n'));
  setLastLineLog(logger, { stackInError: true });
  // Every address needs a token, loopback included: any local process could drive the agent otherwise.
  const given = givenToken({ token: values.token, tokenFile: values['token-file'] });
  const stored = given === undefined ? storedServerToken(configDir()) : undefined;
  const server = new PunieServer({
    host: values.host,
    port: intOption('port', values.port, 8000),
    model,
    token: given ?? stored?.token,
    allowedModels: values['allow-model'] ?? [],
    allowedOrigins: values['allow-origin'] ?? [],
    allowedHosts: values['allow-host'] ?? [],
    heartbeatIntervalMs: intOption('heartbeat-ms', values['heartbeat-ms'], 15_000),
    idleTimeoutMs: intOption('idle-timeout-ms', values['idle-timeout-ms'], 30 * 60_000),
    gracePeriodMs: intOption('grace-ms', values['grace-ms'], 300_000),
    dataDir: values['data-dir'] ?? defaultDataDir(),
    sessionRetentionMs: intOption('session-retention', values['session-retention'], 30) * DAY_MS,
    storeMaxBytes: intOption('store-max-mb', values['store-max-mb'], 2048) * 1024 * 1024,
    store: storeTarget(values.store, values['redis-password-file']),
    storeBufferBytes: intOption('store-buffer-mb', values['store-buffer-mb'], 16) * 1024 * 1024,
    fleetLeaseMs: intOption('lease-ms', values['lease-ms'], 15_000),
    users: values['users-file'] === undefined ? undefined : loadUsersFile(values['users-file']),
    ...limitOptions(values),
    agent: { ...defaultAgentSessionOptions, turn: { ...defaultAgentSessionOptions.turn, maxSteps }, mcp },
    logger,
  });
  try {
    server.models.create(model); // a bad default model fails now, not at the first session/new
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(`--model: ${err.message}`);
    throw err;
  }
  const urls = await server.listen();
  process.stdout.write(`Punie agent server\n  Punie clients: ${urls.ws}\n  ACP clients:   ${urls.acp}\n  Health:        ${urls.health}\n`);
  if (stored) process.stdout.write(tokenHelp(stored.path, stored.created, urls.ws));
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write('shutting down…\n');
      server.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Where the generated token is and how clients use it (the token itself is not printed: stdout may be logged). */
function tokenHelp(path: string, created: boolean, ws: string): string {
  const basic = ws.replace('ws://', 'ws://punie:<token>@');
  return (
    `  Token:         ${created ? 'generated and stored' : 'read'} in ${path} (readable by you only)\n` +
    `  Use it with:   punie ask --server ${ws} --token-file ${path} "…"\n` +
    `                 (or PUNIE_TOKEN; Python clients: ${basic}, loopback only: a token in a URL shows in process lists)\n`
  );
}

function mcpPolicy(values: string[]): McpPolicy {
  try {
    return McpPolicy.parse(values);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
