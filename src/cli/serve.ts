/** `punie serve`: the agent server, standalone, until Ctrl-C. */
import { ModelError } from '../agent/models/types';
import { defaultAgentSessionOptions } from '../agent/session';
import { PunieServer } from '../server/server';
import { createLogger, isLogLevel } from '../util/logger';
import { intOption, parse, UsageError } from './args';
import { limitArgSpecs, limitHelp, limitOptions } from './limitFlags';

export const serveHelp = `Usage: punie serve [options]

Runs the Punie agent server.
  --host <addr>          address to bind (default 127.0.0.1; anything else requires a token)
  --port <n>             port (default 8000; 0 picks a free one)
  --model <spec>         default model (default: $PUNIE_MODEL or test): test, test:tools (scripted tool demo),
                         ollama:<model>, local:http://host:port/v1/<model>, openai:<model> (needs OPENAI_API_KEY)
  --max-steps <n>        most model requests in one prompt turn (default 25)
  --token <t>            require "Authorization: Bearer <t>" (default: $PUNIE_TOKEN)
  --allow-origin <o>     allow browser pages from this exact Origin (repeatable)
  --heartbeat-ms <n>     ping interval; a client missing two pongs is dropped (default 15000)
  --idle-timeout-ms <n>  close a silent connection with no running prompt (default 1800000)
  --grace-ms <n>         keep a disconnected client's sessions for resume (default 300000)
  --log-level <level>    trace, debug, info, warn, error (default info)

Limits (docs/limits.md explains each):
${limitHelp()}`;

export async function serve(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    model: { type: 'string' },
    token: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    'heartbeat-ms': { type: 'string' },
    'idle-timeout-ms': { type: 'string' },
    'grace-ms': { type: 'string' },
    'max-steps': { type: 'string' },
    'log-level': { type: 'string' },
    ...limitArgSpecs,
  });
  const maxSteps = intOption('max-steps', values['max-steps'], defaultAgentSessionOptions.turn.maxSteps);
  if (maxSteps < 1) throw new UsageError('--max-steps must be at least 1');
  const model = values.model ?? process.env.PUNIE_MODEL ?? 'test';
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level must be trace, debug, info, warn or error, got "${level}"`);
  const server = new PunieServer({
    host: values.host,
    port: intOption('port', values.port, 8000),
    model,
    token: values.token ?? (process.env.PUNIE_TOKEN || undefined),
    allowedOrigins: values['allow-origin'] ?? [],
    heartbeatIntervalMs: intOption('heartbeat-ms', values['heartbeat-ms'], 15_000),
    idleTimeoutMs: intOption('idle-timeout-ms', values['idle-timeout-ms'], 30 * 60_000),
    gracePeriodMs: intOption('grace-ms', values['grace-ms'], 300_000),
    ...limitOptions(values),
    agent: { ...defaultAgentSessionOptions, turn: { ...defaultAgentSessionOptions.turn, maxSteps } },
    logger: createLogger(level, (line) => process.stderr.write(line + '\n')),
  });
  try {
    server.models.create(model); // a bad default model fails now, not at the first session/new
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(`--model: ${err.message}`);
    throw err;
  }
  const urls = await server.listen();
  process.stdout.write(`Punie agent server\n  Punie clients: ${urls.ws}\n  ACP clients:   ${urls.acp}\n  Health:        ${urls.health}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write('shutting down…\n');
      server.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
