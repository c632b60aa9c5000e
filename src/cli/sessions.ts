/**
 * `punie sessions list|show ID|delete ID`: the user's stored conversations, on a server given by --server
 * or, without it, in the data dir of the embedded servers (`punie ask`'s sessions).
 */
import { PunieClient } from '../client';
import { listSessions, type ListedSession } from '../client/sessionList';
import { Methods, type SessionUpdate } from '../protocol/acp';
import { READ_SESSION } from '../protocol/punie';
import { PUNIE_VERSION } from '../util/version';
import type { PunieServer } from '../server/server';
import { createLogger } from '../util/logger';
import { defaultDataDir } from '../util/dataDir';
import { parse, UsageError } from './args';
import { startEmbedded } from './embedded';

export const sessionsHelp = `Usage: punie sessions list | show <id> | delete <id> [options]

Lists, shows or deletes your sessions (continue one with: punie ask --session <id> "…").
  --server <url>     a Punie server, e.g. ws://127.0.0.1:8000/ws (default: the embedded servers' sessions)
  --token <t>        bearer token for --server (default: $PUNIE_TOKEN)
  --data-dir <dir>   without --server: where they are kept (default: $PUNIE_DATA_DIR or the user data dir + /punie)
  --cwd <dir>        list: only sessions of this working directory
`;

interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export async function sessions(argv: string[], io: Io = process): Promise<void> {
  const { values, positionals } = parse(argv, { server: { type: 'string' }, token: { type: 'string' }, 'data-dir': { type: 'string' }, cwd: { type: 'string' } }, true);
  const [command, id] = positionals;
  if (command !== 'list' && command !== 'show' && command !== 'delete') throw new UsageError('sessions needs list, show <id> or delete <id>');
  if (command !== 'list' && !id) throw new UsageError(`sessions ${command} needs a session id (see punie sessions list)`);
  const logger = createLogger('warn', (line) => io.stderr.write(line + '\n'));
  let embedded: PunieServer | undefined;
  let url = values.server;
  let token = values.token ?? (process.env.PUNIE_TOKEN || undefined);
  if (url === undefined) {
    // The embedded server makes its own fresh token: only this process can talk to it.
    const started = await startEmbedded({ logger, dataDir: values['data-dir'] ?? defaultDataDir() }, true);
    embedded = started.server;
    url = started.urls.ws;
    token = embedded.options.token;
  }
  const client = new PunieClient({ url, token, clientInfo: { name: 'punie-cli', version: PUNIE_VERSION }, logger, reconnect: { maxAttempts: 1 } });
  try {
    await client.start();
    if (command === 'list') await list(client, values.cwd, io);
    else if (command === 'show') await show(client, id, io);
    else {
      await client.request(Methods.sessionDelete, { sessionId: id });
      io.stdout.write(`deleted ${id}\n`);
    }
  } finally {
    await client.dispose();
    await embedded?.close();
  }
}

async function list(client: PunieClient, cwd: string | undefined, io: Io): Promise<void> {
  const all = await listSessions(client, cwd);
  if (all.length === 0) io.stdout.write('no sessions\n');
  for (const s of all) io.stdout.write(`${s.sessionId}  ${s.updatedAt ?? ''}  ${s.title ?? '(untitled)'}  ${s.cwd}\n`);
}

async function show(client: PunieClient, id: string, io: Io): Promise<void> {
  const session = await client.request<ListedSession & { updates: SessionUpdate[] }>(READ_SESSION, { sessionId: id });
  io.stdout.write(`${session.title ?? '(untitled)'} — ${session.cwd}, updated ${session.updatedAt ?? '?'}\n`);
  let last = '';
  for (const u of session.updates) {
    if (u.sessionUpdate === 'tool_call') io.stdout.write(`\n[tool: ${u.title}${u.status ? ` — ${u.status}` : ''}]`);
    if (u.sessionUpdate !== 'user_message_chunk' && u.sessionUpdate !== 'agent_message_chunk') continue;
    if (u.content.type !== 'text') continue;
    const who = u.sessionUpdate === 'user_message_chunk' ? 'you' : 'punie';
    if (who !== last) io.stdout.write(`\n\n${who}: `);
    io.stdout.write(u.content.text);
    last = who;
  }
  io.stdout.write('\n');
}
