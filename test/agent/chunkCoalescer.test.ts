import assert from 'node:assert/strict';
import type { Ticker } from '../../src/agent/chunkCoalescer';
import { AgentSession, defaultAgentSessionOptions } from '../../src/agent/session';
import type { ModelEvent } from '../../src/agent/models/types';
import { MAX_COALESCED_TEXT } from '../../src/agent/text';
import { FakeHost } from '../helpers/fakeHost';
import { call, ScriptedModel, text, type Step } from '../helpers/scriptedModel';

const prompt = [{ type: 'text' as const, text: 'go' }];
const thought = (t: string): ModelEvent => ({ type: 'thought', text: t });
const message = (t: string) => ({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: t } });

/** A tick the test runs by hand: what is held stays held until then. */
class ManualTicker implements Ticker {
  pending: (() => void) | undefined;
  schedule(run: () => void): unknown {
    this.pending = run;
    return run;
  }
  cancel(handle: unknown): void {
    if (this.pending === handle) this.pending = undefined;
  }
  run(): void {
    const run = this.pending;
    this.pending = undefined;
    run?.();
  }
}

function session(steps: Step[], ticker?: Ticker) {
  const host = new FakeHost({ fs: { readTextFile: true, writeTextFile: true }, terminal: true }, () => ({ content: 'alpha' }));
  const agent = new AgentSession('s1', '/w', new ScriptedModel(steps), host, defaultAgentSessionOptions, undefined, ticker);
  return { agent, host };
}

describe('coalescing of the chunks of a turn', () => {
  it('sends a burst within one event-loop turn as one update with the same text', async () => {
    const words = Array.from({ length: 500 }, (_, i) => `w${i} `);
    const { agent, host } = session([words.map(text)]);
    assert.equal(await agent.prompt(prompt), 'end_turn');
    assert.deepEqual(host.updates, [message(words.join(''))]);
    assert.deepEqual(agent.replayTranscript().slice(1), [message(words.join(''))], 'after the prompt');
  });

  it('keeps each merged update under MAX_COALESCED_TEXT', async () => {
    const piece = 'x'.repeat(1000);
    const { agent, host } = session([Array.from({ length: 40 }, () => text(piece))]);
    await agent.prompt(prompt);
    assert.ok(host.updates.length >= Math.ceil((40 * 1000) / MAX_COALESCED_TEXT) && host.updates.length < 40, `${host.updates.length} updates`);
    for (const u of host.updates) assert.ok((u as { content: { text: string } }).content.text.length <= MAX_COALESCED_TEXT);
    assert.equal(host.updates.map((u) => (u as { content: { text: string } }).content.text).join(''), piece.repeat(40));
  });

  it('does not hold back a paced model: a chunk goes out at the end of its tick, before the model goes on', async () => {
    const ticker = new ManualTicker();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const steps: Step[] = [
      async function* () {
        yield text('one');
        await gate;
        yield text('two');
      },
    ];
    const { agent, host } = session(steps, ticker);
    const done = agent.prompt(prompt);
    while (!ticker.pending) await new Promise((r) => setImmediate(r));
    assert.deepEqual(host.updates, [], 'held until the tick ends');
    ticker.run();
    assert.deepEqual(host.updates, [message('one')], 'sent while the model still waits');
    release();
    assert.equal(await done, 'end_turn');
    assert.deepEqual(host.updates, [message('one'), message('two')]);
  });

  it('gives a model at 1 ms per chunk one update per chunk (real ticks)', async () => {
    const steps: Step[] = [
      async function* () {
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 1));
          yield text(`c${i}`);
        }
      },
    ];
    const { agent, host } = session(steps);
    await agent.prompt(prompt);
    assert.deepEqual(host.updates, ['c0', 'c1', 'c2', 'c3', 'c4'].map(message));
  });

  it('keeps thoughts and messages apart and in order, and sends held text before a tool call and usage', async () => {
    const ticker = new ManualTicker(); // never run: only the other updates and the turn end send
    const { agent, host } = session(
      [
        [thought('a'), thought('b'), text('c'), text('d'), thought('e'), text('f'), { type: 'usage', inputTokens: 1, outputTokens: 2 }, text('g'), call('read_file', { path: 'a.txt' })],
        [text('h'), text('i')],
      ],
      ticker,
    );
    assert.equal(await agent.prompt(prompt), 'end_turn');
    assert.deepEqual(
      host.updates.map((u) => [u.sessionUpdate, u.sessionUpdate.endsWith('_chunk') ? (u as { content: { text: string } }).content.text : '']),
      [
        ['agent_thought_chunk', 'ab'],
        ['agent_message_chunk', 'cd'],
        ['agent_thought_chunk', 'e'],
        ['agent_message_chunk', 'f'],
        ['usage_update', ''],
        ['agent_message_chunk', 'g'],
        ['tool_call', ''],
        ['tool_call_update', ''],
        ['tool_call_update', ''],
        ['agent_message_chunk', 'hi'],
      ],
    );
    assert.equal(ticker.pending, undefined, 'nothing left scheduled after the turn');
  });

  it('sends what is held when the turn ends by failure or cancel', async () => {
    const ticker = new ManualTicker();
    const failing: Step[] = [
      async function* () {
        yield text('partial ');
        yield text('answer');
        throw new Error('boom');
      },
    ];
    const a = session(failing, ticker);
    await assert.rejects(a.agent.prompt(prompt), /boom/);
    assert.deepEqual(a.host.updates, [message('partial answer')]);

    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const cancelled: Step[] = [
      async function* (request) {
        yield text('before cancel');
        stop();
        await new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason as Error)));
      },
    ];
    const b = session(cancelled, ticker);
    const done = b.agent.prompt(prompt);
    await stopped;
    b.agent.cancel();
    assert.equal(await done, 'cancelled');
    assert.deepEqual(b.host.updates, [message('before cancel')]);
  });

  it('fails the turn, not the process, when a held update cannot be sent at the end of a tick', async () => {
    const ticker = new ManualTicker();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const steps: Step[] = [
      async function* (request) {
        yield text('one');
        await Promise.race([gate, new Promise((r) => request.signal.addEventListener('abort', r))]);
        yield text('two');
      },
    ];
    const { agent, host } = session(steps, ticker);
    host.emit = () => {
      throw new Error('store full');
    };
    const done = agent.prompt(prompt);
    while (!ticker.pending) await new Promise((r) => setImmediate(r));
    ticker.run();
    release();
    await assert.rejects(done, /could not be sent/);
  });
});
