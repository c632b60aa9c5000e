import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultAgentSessionOptions } from '../../src/agent/session';
import type { PunieServer } from '../../src/server/server';
import { FakeOpenAi, textStream, toolCallStream } from '../fixtures/fakeOpenAi';
import { choose, AcpClients, TestAcpClient } from '../helpers/acpClient';
import { everythingStdio, isAlive, testMcpOptions, waitFor } from '../helpers/mcp';
import { startServer } from '../helpers/server';

describe('MCP servers end to end (real agent server, everything MCP server, fake OpenAI model)', function () {
  this.timeout(30_000);
  let server: PunieServer;
  let fake: FakeOpenAi;
  let dir: string;
  const clients = new AcpClients(() => server.urls().acp);
  const connect = (options?: Parameters<AcpClients['connect']>[0]) => clients.connect(options);


  async function newSession(client: TestAcpClient, mcpServers: unknown[] = [everythingStdio()]): Promise<string> {
    const response = await client.call('session/new', { cwd: dir, mcpServers, _meta: { model: `local:${fake.baseURL}/qwen` } });
    return response.sessionId;
  }

  const mcpPids = (sessionId: string) => server.store.owned(sessionId, 'client-0').agent.mcp.pids();

  beforeEach(async () => {
    server = await startServer({ allowedModels: ['local:*'], agent: { ...defaultAgentSessionOptions, mcp: testMcpOptions } });
    fake = await FakeOpenAi.start();
    dir = await mkdtemp(join(tmpdir(), 'punie-mcp-'));
  });
  afterEach(async () => {
    await clients.closeAll();
    await server.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('initialize advertises http and sse when the policy allows them', async () => {
    const client = await connect();
    const init = await client.call('initialize', { protocolVersion: 1, clientCapabilities: {} });
    assert.deepEqual(init.agentCapabilities.mcpCapabilities, { http: true, sse: true });
  });

  it('offers the tools to the model, runs a call after permission, shows its result and gives it to the model', async () => {
    fake.reply(toolCallStream([{ id: 'c1', name: 'everything__echo', args: { message: 'ping' } }]), textStream('It said ping.'));
    const client = await connect();
    const sessionId = await newSession(client);
    assert.equal(await client.prompt(sessionId, 'Echo ping'), 'end_turn');

    const offered = fake.requests[0].tools.map((t: any) => t.function);
    const echo = offered.find((f: any) => f.name === 'everything__echo');
    assert.equal(echo.description, 'Echoes back the input string');
    assert.deepEqual(echo.parameters.required, ['message']);
    assert.ok(offered.some((f: any) => f.name === 'read_file'), "Punie's own tools are still there");

    const [call] = client.toolCalls(sessionId);
    assert.deepEqual([call.kind, call.title, call.statuses], ['read', 'Echo Tool (MCP server everything)', ['pending', 'in_progress', 'completed']]);
    assert.deepEqual(call.content, [{ type: 'content', content: { type: 'text', text: 'Echo: ping' } }]);
    const asked = client.requests.filter((r) => r.method === 'session/request_permission');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].params.toolCall.kind, 'read');
    assert.deepEqual(fake.requests[1].messages.at(-1), { role: 'tool', tool_call_id: 'c1', content: 'Echo: ping' });
  });

  it('a denied permission fails the call without running it; the model hears why', async () => {
    fake.reply(toolCallStream([{ id: 'c1', name: 'everything__echo', args: { message: 'ping' } }]), textStream('OK.'));
    const client = await connect({ permission: choose('reject_once') });
    const sessionId = await newSession(client);
    await client.prompt(sessionId, 'Echo ping');
    assert.equal(client.toolCalls(sessionId)[0].status, 'failed');
    assert.equal(fake.requests[1].messages.at(-1).content, 'everything__echo was not run: the user rejected it.');
  });

  it('a server that does not start is said once in the chat, and the session goes on without it', async () => {
    fake.reply(textStream('Hello.'), textStream('Again.'));
    const client = await connect();
    const sessionId = await newSession(client, [{ name: 'broken', command: '/nonexistent/mcp', args: [], env: [] }]);
    await client.prompt(sessionId, 'hi');
    assert.match(client.agentText(sessionId), /^MCP server broken did not start: .*ENOENT.*\n\nHello\.$/s);
    await client.prompt(sessionId, 'hi again');
    assert.equal(client.agentText(sessionId).match(/did not start/g)!.length, 1);
  });

  it('session/close and the server shutting down stop every MCP child process', async () => {
    const client = await connect();
    const first = await newSession(client);
    const second = await newSession(client);
    await waitFor('both servers', () => mcpPids(first).length === 1 && mcpPids(second).length === 1, 15_000);
    const [a, b] = [mcpPids(first)[0], mcpPids(second)[0]];
    await client.call('session/close', { sessionId: first });
    await waitFor('the closed session’s server to stop', () => !isAlive(a));
    assert.ok(isAlive(b));
    await server.close();
    assert.ok(!isAlive(b), 'no orphan after shutdown');
  });

  it('a session that expires after its client left stops its MCP servers', async () => {
    await server.close();
    server = await startServer({ allowedModels: ['local:*'], gracePeriodMs: 100, cleanupIntervalMs: 50, agent: { ...defaultAgentSessionOptions, mcp: testMcpOptions } });
    const client = await connect();
    const sessionId = await newSession(client);
    await waitFor('the server', () => mcpPids(sessionId).length === 1, 15_000);
    const [pid] = mcpPids(sessionId);
    await client.close();
    await waitFor('the expired session’s server to stop', () => !isAlive(pid));
    assert.equal(server.store.sessionCount, 0);
  });

  it('a standalone server allows no MCP servers by default: nothing starts, the chat says how to allow them', async () => {
    await server.close();
    server = await startServer({ allowedModels: ['local:*'] });
    fake.reply(textStream('Hi.'));
    const client = await connect();
    const init = await client.call('initialize', { protocolVersion: 1, clientCapabilities: {} });
    assert.deepEqual(init.agentCapabilities.mcpCapabilities, { http: false, sse: false });
    const sessionId = await newSession(client);
    await client.prompt(sessionId, 'hi');
    assert.match(client.agentText(sessionId), /^MCP server everything was not started: .*--allow-mcp/);
    assert.ok(!(fake.requests[0].tools ?? []).some((t: any) => t.function.name.startsWith('everything__')));
  });
});
