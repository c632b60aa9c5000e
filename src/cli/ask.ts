/** `punie ask "…"`: streams one answer to stdout, from a server given by --server or an embedded one. */
import { openSocket } from '../client/socket';
import { Methods, PROTOCOL_VERSION, type NewSessionResponse, type PromptResponse, type SessionNotification } from '../protocol/acp';
import { PunieServer } from '../server/server';
import { createLogger, isLogLevel } from '../transport/logger';
import { parse, UsageError } from './args';

export const askHelp = `Usage: punie ask [options] "question"

Streams the agent's answer to stdout (status and errors go to stderr).
  --server <url>       a Punie server, e.g. ws://127.0.0.1:8000/ws (default: start one in this process)
  --token <t>          bearer token for --server (default: $PUNIE_TOKEN)
  --model <spec>       model of the embedded server or of the new session (default test)
  --cwd <dir>          working directory of the session (default: current directory)
  --log-level <level>  trace, debug, info, warn, error (default warn)
`;

export async function ask(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      server: { type: 'string' },
      token: { type: 'string' },
      model: { type: 'string' },
      cwd: { type: 'string' },
      'log-level': { type: 'string' },
    },
    true,
  );
  const question = positionals.join(' ').trim();
  if (!question) throw new UsageError('ask needs a question, e.g. punie ask "what does this project do?"');
  const level = values['log-level'] ?? 'warn';
  if (!isLogLevel(level)) throw new UsageError(`--log-level must be trace, debug, info, warn or error, got "${level}"`);
  const logger = createLogger(level, (line) => process.stderr.write(line + '\n'));

  const embedded = values.server ? undefined : new PunieServer({ port: 0, model: values.model ?? 'test', logger });
  const url = values.server ?? (await embedded!.listen()).ws;
  try {
    const { socket, endpoint } = await openSocket(url, { token: values.token ?? process.env.PUNIE_TOKEN, connectTimeoutMs: 10_000, logger });
    endpoint.onNotification((method, params) => {
      if (method !== Methods.sessionUpdate) return;
      const { update } = params as SessionNotification;
      if (update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text') process.stdout.write(update.content.text);
    });
    process.stderr.write('⏳ Working…\n');
    await endpoint.request(Methods.initialize, { protocolVersion: PROTOCOL_VERSION, clientInfo: { name: 'punie-cli', version: '0.1.0' } }, { timeoutMs: 30_000 });
    const meta = values.model && values.server ? { model: values.model } : undefined;
    const session = await endpoint.request<NewSessionResponse>(Methods.sessionNew, { cwd: values.cwd ?? process.cwd(), mcpServers: [], _meta: meta }, { timeoutMs: 30_000 });
    const result = await endpoint.request<PromptResponse>(Methods.sessionPrompt, { sessionId: session.sessionId, prompt: [{ type: 'text', text: question }] });
    process.stdout.write('\n');
    if (result.stopReason !== 'end_turn') process.stderr.write(`(stopped: ${result.stopReason})\n`);
    socket.close(1000);
  } finally {
    await embedded?.close();
  }
}
