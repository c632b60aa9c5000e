/**
 * `punie ask "…"`: streams one answer to stdout, from a server given by --server or an embedded one. It
 * talks through the client manager, so a dropped connection mid-answer is resumed and the answer goes on
 * where it stopped; stderr says what happened.
 */
import { PunieClient } from '../client';
import { PUNIE_VERSION } from '../util/version';
import type { PunieServer } from '../server/server';
import { createLogger, isLogLevel } from '../util/logger';
import { defaultDataDir } from '../util/dataDir';
import { intOption, parse, UsageError } from './args';
import { startEmbedded } from './embedded';
import { givenToken } from './token';
import { randomToken } from '../util/randomToken';
import { setLastLineLog } from './lastLine';

export const askHelp = `Usage: punie ask [options] "question"

Streams the agent's answer to stdout (status and errors go to stderr). A dropped connection is resumed
without losing or repeating any of the answer.
  --server <url>       a Punie server, e.g. ws://127.0.0.1:8000/ws (default: start one in this process)
  --token <t>          bearer token for --server (default: $PUNIE_TOKEN)
  --token-file <path>  read that token from a file (keeps it out of the process list)
  --model <spec>       model of the embedded server or of the new session (default test)
  --cwd <dir>          working directory of the session (default: current directory)
  --session <id>       continue this session (see "punie sessions list") instead of starting one
  --data-dir <dir>     sessions of the embedded server (default: $PUNIE_DATA_DIR or the user data dir + /punie)
  --retries <n>        reconnect attempts in a row before giving up (default 10, about a minute)
  --log-level <level>  trace, debug, info, warn, error (default warn)
`;

export interface AskIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export async function ask(argv: string[], io: AskIO = process): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      server: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      model: { type: 'string' },
      cwd: { type: 'string' },
      session: { type: 'string' },
      'data-dir': { type: 'string' },
      retries: { type: 'string' },
      'log-level': { type: 'string' },
    },
    true,
  );
  const question = positionals.join(' ').trim();
  if (!question) throw new UsageError('ask needs a question, e.g. punie ask "what does this project do?"');
  const level = values['log-level'] ?? 'warn';
  if (!isLogLevel(level)) throw new UsageError(`--log-level must be trace, debug, info, warn or error, got "${level}"`);
  const logger = createLogger(level, (line) => io.stderr.write(line + '\n'));
  setLastLineLog(logger, { stackInError: false });
  const retries = intOption('retries', values.retries, 10);

  // The embedded server is for this process alone: a fresh token keeps other local processes out.
  const token = values.server ? givenToken({ token: values.token, tokenFile: values['token-file'] }) : randomToken();
  let embedded: PunieServer | undefined;
  let url = values.server;
  if (url === undefined) {
    const started = await startEmbedded({ model: values.model ?? 'test', token, logger, dataDir: values['data-dir'] ?? defaultDataDir() }, values.session !== undefined);
    embedded = started.server;
    url = started.urls.ws;
  }
  const client = new PunieClient({
    url,
    token,
    clientInfo: { name: 'punie-cli', version: PUNIE_VERSION },
    logger,
    reconnect: { maxAttempts: Math.max(1, retries) },
  });
  client.onUpdate(({ update }) => {
    if (update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text') io.stdout.write(update.content.text);
  });
  let down = false;
  let everConnected = false;
  // A server that cannot be reached at all is an error to report now; retries are for drops mid-answer.
  const unreachable = new Promise<never>((_resolve, reject) =>
    client.onStateChange((state) => {
      if (state.kind === 'connected') everConnected = true;
      else if (state.kind === 'reconnecting' && !everConnected) reject(new Error(state.lastError));
    }),
  );
  unreachable.catch(() => {});
  client.onStateChange((state) => {
    if (state.kind === 'reconnecting' && !down && everConnected) {
      down = true;
      io.stderr.write(`\n⚠ ${state.lastError}; reconnecting…\n`);
    } else if (state.kind === 'connected' && down) {
      down = false;
      io.stderr.write('✓ reconnected; the answer continues\n');
    }
  });
  client.onSessionLost((lost) => io.stderr.write(`\n⚠ ${lost.reason}\n`));
  try {
    io.stderr.write('⏳ Working…\n');
    await Promise.race([client.start(), unreachable]);
    const model = values.model && values.server ? values.model : undefined;
    const cwd = values.cwd ?? process.cwd();
    const session = values.session ? await client.openSession(values.session, cwd) : await client.newSession(cwd, { model });
    if (!values.session) io.stderr.write(`(session ${session.sessionId}; continue it with --session)\n`);
    const stopReason = await client.prompt(session.sessionId, [{ type: 'text', text: question }]);
    io.stdout.write('\n');
    if (stopReason !== 'end_turn') io.stderr.write(`(stopped: ${stopReason})\n`);
  } finally {
    await client.dispose();
    await embedded?.close();
  }
}
