/** Test helpers for the client manager: fast test options, and a recorder of what a UI would show. */
import { numberedChunk } from '../../src/agent/models/testModel';
import { PunieClient } from '../../src/client/punieClient';
import type { ClientOptionsInput } from '../../src/client/options';
import type { ConnectionState, SessionLost } from '../../src/client/types';
import type { SessionNotification } from '../../src/protocol/acp';
import { createLogger } from '../../src/util/logger';
import { TestProxy } from './proxy';

/** Short intervals so a test never waits on the production defaults (PUNIE_TEST_LOG=debug shows the client log). */
export function testClient(url: string, options: Partial<ClientOptionsInput> = {}): PunieClient {
  const level = process.env.PUNIE_TEST_LOG;
  return new PunieClient({
    url,
    connectTimeoutMs: 2000,
    handshakeTimeoutMs: 2000,
    requestTimeoutMs: 3000,
    heartbeatIntervalMs: 1000,
    resumeRetryWindowMs: 3000,
    ...(level === 'debug' || level === 'info' ? { logger: createLogger(level, (line) => process.stderr.write(line + '\n'), '[client] ') } : {}),
    ...options,
    reconnect: { initialDelayMs: 5, maxDelayMs: 40, minUptimeMs: 50, ...options.reconnect },
  });
}

/**
 * What a chat view shows: per session, the agent's text. On a `reloaded` session loss the view starts
 * over and the transcript that follows fills it again.
 */
export class Recorder {
  readonly states: ConnectionState[] = [];
  readonly lost: SessionLost[] = [];
  readonly updates: SessionNotification[] = [];
  private readonly texts = new Map<string, string>();

  constructor(client: PunieClient) {
    client.onStateChange((s) => this.states.push(s));
    client.onSessionLost((l) => {
      this.lost.push(l);
      if (l.recovery === 'reloaded') this.texts.set(l.sessionId, '');
    });
    client.onUpdate((n) => {
      this.updates.push(n);
      if (n.update.sessionUpdate === 'agent_message_chunk' && n.update.content.type === 'text') {
        this.texts.set(n.sessionId, (this.texts.get(n.sessionId) ?? '') + n.update.content.text);
      }
    });
  }

  text(sessionId: string): string {
    return this.texts.get(sessionId) ?? '';
  }

  kinds(): string[] {
    return this.states.map((s) => s.kind);
  }
}

export function expectedText(chunks: number, size: number): string {
  return Array.from({ length: chunks }, (_, i) => numberedChunk(i, size)).join('');
}

/** The tool calls (kind, title, final status) the built-in `test:tools` model makes, as any client sees them. */
export const TEST_TOOLS_CALLS = [
  ['read', 'Read README.md', 'completed'],
  ['edit', 'Write punie-notes.md', 'completed'],
  ['edit', 'Edit punie-notes.md', 'completed'],
  ['execute', 'Run `ls`', 'completed'],
];

/** Polls `condition` every `intervalMs`; rejects with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 3000, intervalMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const text = (t: string) => [{ type: 'text' as const, text: t }];

/** A started test client (and its recorder) reaching a server on `port` through a TestProxy. */
export async function clientBehindProxy(port: number, options: Partial<ClientOptionsInput> = {}) {
  const proxy = await TestProxy.start(port);
  const client = testClient(proxy.url(), options);
  const recorder = new Recorder(client);
  await client.start();
  return { proxy, client, recorder };
}

/** A prompt of a new session on `model`, once `updates` updates have arrived; `done` is its outcome. */
export async function promptUnderway(client: PunieClient, recorder: Recorder, model: string, updates: number) {
  const { sessionId } = await client.newSession('/w', { model });
  const done = client.prompt(sessionId, text('go'));
  await until(() => recorder.updates.length >= updates, 'some output');
  return { sessionId, done };
}
