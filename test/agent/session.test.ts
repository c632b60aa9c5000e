import assert from 'node:assert/strict';
import { AgentSession, defaultAgentSessionOptions, type AgentSessionOptions } from '../../src/agent/session';
import { RpcError } from '../../src/protocol/jsonrpc';
import { abortGuarded } from '../../src/agent/models/abortable';
import { ModelError, type ModelEvent } from '../../src/agent/models/types';
import { FakeHost } from '../helpers/fakeHost';
import { call, ScriptedModel, text, type Step } from '../helpers/scriptedModel';

const FULL = { fs: { readTextFile: true, writeTextFile: true }, terminal: true };
const prompt = (t: string) => [{ type: 'text' as const, text: t }];

function session(steps: Step[], host = new FakeHost(FULL), options: Partial<AgentSessionOptions> = {}) {
  const model = new ScriptedModel(steps);
  const agent = new AgentSession('s1', '/w', model, host, { ...defaultAgentSessionOptions, ...options });
  return { agent, model, host };
}

/** A client whose files live in a map; permissions answered by `permit`. */
function workspace(files: Record<string, string>, permit = 'allow_once'): FakeHost {
  return new FakeHost(FULL, (method, params) => {
    if (method === 'fs/read_text_file') {
      if (!(params.path in files)) throw new Error(`File not found: ${params.path}`);
      return { content: files[params.path] };
    }
    if (method === 'fs/write_text_file') {
      files[params.path] = params.content;
      return null;
    }
    if (method === 'session/request_permission') return { outcome: { outcome: 'selected', optionId: permit } };
    throw new Error(`unexpected ${method}`);
  });
}

describe('AgentSession turns', () => {
  it('streams text and thoughts, and keeps the conversation for the next turn', async () => {
    const { agent, model, host } = session([[{ type: 'thought', text: 'hmm' }, text('Hello '), text('there')], [text('again')]]);
    assert.equal(await agent.prompt(prompt('hi')), 'end_turn');
    assert.deepEqual(host.updates, [
      { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'hmm' } },
      // Chunks the model gives in one event-loop turn go out as one update (chunkCoalescer.test.ts).
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Hello there' } },
    ]);
    await agent.prompt(prompt('more'));
    const second = model.requests[1].messages;
    assert.equal(second[0].role, 'system');
    assert.deepEqual(second.slice(1), [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello there' },
      { role: 'user', content: 'more' },
    ]);
  });

  it('runs a tool call through the client and gives the result back to the model', async () => {
    const host = workspace({ '/w/a.txt': 'alpha' });
    const { agent, model } = session([[text('Reading. '), call('read_file', { path: 'a.txt' })], [text('It says alpha.')]], host);
    assert.equal(await agent.prompt(prompt('what is in a.txt?')), 'end_turn');
    assert.deepEqual(host.requests.map((r) => [r.method, r.params]), [['fs/read_text_file', { sessionId: 's1', path: '/w/a.txt', line: undefined, limit: undefined }]]);
    const tool = host.updates.filter((u) => u.sessionUpdate.startsWith('tool_call'));
    assert.deepEqual(tool, [
      { sessionUpdate: 'tool_call', toolCallId: 'call-1', kind: 'read', status: 'pending', title: 'Read a.txt', locations: [{ path: '/w/a.txt', line: null }], rawInput: { path: 'a.txt' } },
      { sessionUpdate: 'tool_call_update', toolCallId: 'call-1', status: 'in_progress' },
      { sessionUpdate: 'tool_call_update', toolCallId: 'call-1', status: 'completed', content: [{ type: 'content', content: { type: 'text', text: 'alpha' } }] },
    ]);
    assert.deepEqual(model.requests[0].tools, ['read_file', 'edit_file', 'write_file', 'run_command', 'list_files', 'search_text']);
    assert.deepEqual(model.requests[1].messages.slice(2), [
      { role: 'assistant', content: 'Reading. ', toolCalls: [{ id: 'm-read_file', name: 'read_file', arguments: '{"path":"a.txt"}' }] },
      { role: 'tool', toolCallId: 'm-read_file', content: 'alpha' },
    ]);
  });

  it('writes after permission, showing a diff against the current text', async () => {
    const files = { '/w/a.txt': 'old' };
    const host = workspace(files);
    const { agent } = session([[call('write_file', { path: 'a.txt', content: 'new' })], [text('done')]], host);
    await agent.prompt(prompt('change it'));
    assert.equal(files['/w/a.txt'], 'new');
    assert.deepEqual(host.requests.map((r) => r.method), ['fs/read_text_file', 'session/request_permission', 'fs/write_text_file']);
    const diff = { type: 'diff', path: '/w/a.txt', oldText: 'old', newText: 'new' };
    assert.deepEqual(host.requests[1].params.toolCall.content, [diff]);
    const last = host.updates.filter((u) => u.sessionUpdate === 'tool_call_update').at(-1) as any;
    assert.deepEqual([last.status, last.content], ['completed', [diff]]);
  });

  it('a rejected write is not done, fails the call, and tells the model', async () => {
    const files: Record<string, string> = {};
    const host = workspace(files, 'reject_once');
    const { agent, model } = session([[call('write_file', { path: 'new.txt', content: 'x' })], [text('ok')]], host);
    await agent.prompt(prompt('write'));
    assert.deepEqual(files, {});
    assert.ok(!host.requests.some((r) => r.method === 'fs/write_text_file'));
    const last = host.updates.filter((u) => u.sessionUpdate === 'tool_call_update').at(-1) as any;
    assert.equal(last.status, 'failed');
    assert.deepEqual(last.content[0], { type: 'diff', path: '/w/new.txt', oldText: null, newText: 'x' });
    assert.match(model.requests[1].messages.at(-1)!.content, /The change to \/w\/new\.txt was not made: the user rejected it/);
  });

  it('unknown tools, invalid JSON and invalid arguments fail the call and go back to the model', async () => {
    const host = workspace({});
    const { agent, model } = session([[call('delete_everything', {}, 'a'), call('read_file', '{"path":', 'b'), call('read_file', { line: 2 }, 'c')], [text('sorry')]], host);
    assert.equal(await agent.prompt(prompt('x')), 'end_turn');
    const calls = host.updates.filter((u) => u.sessionUpdate === 'tool_call') as any[];
    assert.deepEqual(calls.map((c) => c.status), ['failed', 'failed', 'failed']);
    const results = model.requests[1].messages.filter((m) => m.role === 'tool').map((m) => m.content);
    assert.match(results[0], /there is no tool named "delete_everything"\. Available tools: read_file, edit_file, write_file/);
    assert.match(results[1], /not valid JSON/);
    assert.match(results[2], /invalid arguments for read_file: path:/);
    assert.equal(host.requests.length, 0);
  });

  it('a client error fails the call with its message, and the turn goes on', async () => {
    const host = workspace({});
    const { agent, model } = session([[call('read_file', { path: 'missing.txt' })], [text('not there')]], host);
    assert.equal(await agent.prompt(prompt('x')), 'end_turn');
    assert.match(model.requests[1].messages.at(-1)!.content, /^Error: File not found: \/w\/missing\.txt/);
  });

  it('stops at the step limit with max_turn_requests', async () => {
    const host = workspace({ '/w/a': 'a' });
    const loop = () => [call('read_file', { path: 'a' })];
    const { agent, model } = session([loop(), loop(), loop(), loop()], host, { turn: { ...defaultAgentSessionOptions.turn, maxSteps: 3 } });
    assert.equal(await agent.prompt(prompt('loop')), 'max_turn_requests');
    assert.equal(model.requests.length, 3);
    const history = agent.conversation();
    assert.equal(history.filter((m) => m.role === 'tool').length, 3, 'every call has its result');
  });

  it('ends with refusal or max_tokens when the model says so', async () => {
    const { agent } = session([[text('No.'), { type: 'finish', reason: 'refusal' }], [text('cut'), { type: 'finish', reason: 'max_tokens' }]]);
    assert.equal(await agent.prompt(prompt('x')), 'refusal');
    assert.equal(await agent.prompt(prompt('y')), 'max_tokens');
  });

  it('offers no tools to a client without capabilities (Punie Python clients): text only, no requests', async () => {
    const host = new FakeHost({});
    const { agent, model } = session([[text('plain answer')]], host);
    assert.equal(await agent.prompt(prompt('read a file')), 'end_turn');
    assert.deepEqual(model.requests[0].tools, []);
    assert.match(model.requests[0].messages[0].content, /no tools in this session/);
    assert.equal(host.requests.length, 0);
  });

  it('offers tools by capability: read only → read_file; terminal only → commands and search', async () => {
    const read = session([[text('a')]], new FakeHost({ fs: { readTextFile: true } }));
    await read.agent.prompt(prompt('x'));
    assert.deepEqual(read.model.requests[0].tools, ['read_file']);
    const term = session([[text('a')]], new FakeHost({ terminal: true }));
    await term.agent.prompt(prompt('x'));
    assert.deepEqual(term.model.requests[0].tools, ['run_command', 'list_files', 'search_text']);
  });

  it('a model failure fails the prompt with -32603 naming the model, and keeps the history usable', async () => {
    const failing = async function* (): AsyncIterable<ModelEvent> {
      yield text('partial');
      throw new ModelError('cannot reach Ollama at http://localhost:11434 — is `ollama serve` running?');
    };
    const { agent, model } = session([failing, [text('back')]]);
    await assert.rejects(agent.prompt(prompt('x')), (err: RpcError) => {
      assert.equal(err.code, -32603);
      assert.equal(err.message, 'Model "scripted" failed: cannot reach Ollama at http://localhost:11434 — is `ollama serve` running?');
      assert.deepEqual(err.data, { model: 'scripted' });
      return true;
    });
    assert.equal(agent.isRunning, false);
    assert.equal(await agent.prompt(prompt('retry')), 'end_turn');
    assert.deepEqual(model.requests[1].messages.slice(1).map((m) => m.role), ['user', 'assistant', 'user']);
  });

  it('cancel ends a turn within 100 ms even when a guarded model ignores the signal', async () => {
    const stuck = async function* (): AsyncIterable<ModelEvent> {
      yield text('start');
      await new Promise(() => {});
    };
    const host = new FakeHost(FULL);
    const agent = new AgentSession('s1', '/w', abortGuarded(new ScriptedModel([stuck])), host, defaultAgentSessionOptions);
    const turn = agent.prompt(prompt('x'));
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    agent.cancel();
    assert.equal(await turn, 'cancelled');
    assert.ok(Date.now() - started < 100, `answered after ${Date.now() - started} ms`);
    assert.deepEqual(host.kinds(), ['agent_message_chunk']);
  });

  it('cancel during a pending permission withdraws the request and marks the calls, keeping history paired', async () => {
    const host = new FakeHost(FULL, (method) => (method === 'session/request_permission' ? new Promise(() => {}) : { content: '' }));
    const { agent } = session([[call('run_command', { command: 'make' }, 'x'), call('read_file', { path: 'a' }, 'y')]], host);
    const turn = agent.prompt(prompt('build'));
    while (!host.requests.some((r) => r.method === 'session/request_permission')) await new Promise((r) => setTimeout(r, 5));
    agent.cancel();
    assert.equal(await turn, 'cancelled');
    assert.ok(host.requests.find((r) => r.method === 'session/request_permission')!.signal.aborted);
    const updates = host.updates.filter((u) => u.sessionUpdate === 'tool_call_update') as any[];
    assert.deepEqual(
      updates.filter((u) => u.status === 'failed').map((u) => [u.toolCallId, u.content[0].content.text]),
      [
        ['call-1', 'Cancelled'],
        ['call-2', 'Cancelled'],
      ],
    );
    const tools = agent.conversation().filter((m) => m.role === 'tool');
    assert.deepEqual(tools.map((m) => (m as { toolCallId: string }).toolCallId), ['x', 'y']);
  });

  it("tells the host when a turn's first message is exactly the text its message chunks carried", async () => {
    const host = workspace({ '/w/a.txt': 'x' });
    const { agent } = session([[text('Hello '), text('there')], [call('read_file', { path: 'a.txt' })], [text('Read.')], [text('Plain.')]], host);
    const messageText = () => host.updates.flatMap((u) => (u.sessionUpdate === 'agent_message_chunk' && u.content.type === 'text' ? [u.content.text] : [])).join('');
    await agent.prompt(prompt('hi'));
    assert.deepEqual(host.remembered.map((r) => r.streamed), [false, true], 'the prompt is not, the plain answer is');
    assert.equal(host.remembered[1].messages[0].content, messageText());
    await agent.prompt(prompt('read it'));
    assert.equal(host.remembered.at(-1)!.streamed, false, 'an answer with a tool call is written in full');
    // A model that cannot see images gets a note first: that chunk is not the model's text.
    host.updates.length = 0;
    await agent.prompt([{ type: 'image', data: 'AAAA', mimeType: 'image/png' }, ...prompt('look')]);
    assert.match(messageText(), /cannot see images/);
    assert.equal(host.remembered.at(-1)!.messages[0].content, 'Plain.');
    assert.equal(host.remembered.at(-1)!.streamed, false);
  });

  it('rejects a second prompt while one runs', async () => {
    const slow = async function* (request: { signal: AbortSignal }): AsyncIterable<ModelEvent> {
      await new Promise((r) => request.signal.addEventListener('abort', r));
      yield text('never');
    };
    const { agent } = session([slow]);
    const first = agent.prompt(prompt('a'));
    await assert.rejects(agent.prompt(prompt('b')), /a prompt is already running in session s1/);
    agent.cancel();
    assert.equal(await first, 'cancelled');
  });

  it('replays the transcript with each tool call folded into its final state', async () => {
    const host = workspace({ '/w/a.txt': 'alpha' });
    const { agent } = session([[text('Look'), text('ing.'), call('read_file', { path: 'a.txt' })], [text('Done.')]], host);
    await agent.prompt(prompt('read a.txt'));
    assert.deepEqual(agent.replayTranscript(), [
      { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'read a.txt' } },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Looking.' } },
      {
        sessionUpdate: 'tool_call',
        toolCallId: 'call-1',
        kind: 'read',
        status: 'completed',
        title: 'Read a.txt',
        locations: [{ path: '/w/a.txt', line: null }],
        rawInput: { path: 'a.txt' },
        content: [{ type: 'content', content: { type: 'text', text: 'alpha' } }],
      },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Done.' } },
    ]);
  });

  it('gives each tool call a session-unique id even when the model repeats its ids', async () => {
    const host = workspace({ '/w/a': 'A', '/w/b': 'B' });
    const { agent, model } = session([[call('read_file', { path: 'a' }, 'same'), call('read_file', { path: 'b' }, 'same')], [text('ok')], [call('read_file', { path: 'a' }, 'same')], [text('ok')]], host);
    await agent.prompt(prompt('x'));
    await agent.prompt(prompt('y'));
    const ids = (host.updates.filter((u) => u.sessionUpdate === 'tool_call') as any[]).map((u) => u.toolCallId);
    assert.deepEqual(ids, ['call-1', 'call-2', 'call-3']);
    const results = model.requests[1].messages.filter((m) => m.role === 'tool') as { toolCallId: string; content: string }[];
    assert.deepEqual(results.map((r) => [r.toolCallId, r.content]), [
      ['same', 'A'],
      ['call_call-2', 'B'],
    ]);
  });

  it('passes line and limit of read_file to fs/read_text_file', async () => {
    const host = workspace({ '/w/big.txt': 'x' });
    const { agent } = session([[call('read_file', { path: 'big.txt', line: 20, limit: 5 })], [text('ok')]], host);
    await agent.prompt(prompt('x'));
    assert.deepEqual(host.requests[0].params, { sessionId: 's1', path: '/w/big.txt', line: 20, limit: 5 });
    const shown = host.updates.find((u) => u.sessionUpdate === 'tool_call') as any;
    assert.equal(shown.title, 'Read big.txt (from line 20, 5 lines)');
    assert.deepEqual(shown.locations, [{ path: '/w/big.txt', line: 20 }]);
  });
});
