import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { McpPolicy } from '../../../src/agent/mcp/policy';
import { McpServers } from '../../../src/agent/mcp/servers';
import { PermissionGate } from '../../../src/agent/tools/permission';
import type { AgentTool, ToolContext } from '../../../src/agent/tools/types';
import { silentLogger } from '../../../src/util/logger';
import { FakeMcpHttpServer } from '../../fixtures/mcpHttpServer';
import { FakeHost } from '../../helpers/fakeHost';
import { everythingStdio, isAlive, testMcpOptions, waitFor } from '../../helpers/mcp';

const allowAll = () => ({ outcome: { outcome: 'selected', optionId: 'allow_once' } });

function context(host: FakeHost, signal = new AbortController().signal, mode = 'default'): ToolContext {
  return {
    sessionId: 's1',
    cwd: tmpdir(),
    mode,
    host,
    permissions: new PermissionGate(),
    limits: { outputByteLimit: 65536, maxResultChars: 50_000 },
    signal,
    toolCallId: 'call-1',
    update: () => undefined,
  };
}

function tool(servers: McpServers, name: string): AgentTool<any> {
  const found = servers.tools().find((t) => t.spec.name === name);
  assert.ok(found, `tool ${name} among ${servers.tools().map((t) => t.spec.name).join(', ')}`);
  return found as AgentTool<any>;
}

describe('MCP servers of a session (real MCP servers over stdio and Streamable HTTP)', function () {
  this.timeout(20_000);
  const open: McpServers[] = [];
  let http: FakeMcpHttpServer | undefined;

  function servers(options = testMcpOptions): McpServers {
    const s = new McpServers(tmpdir(), options, silentLogger);
    open.push(s);
    return s;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await http?.close();
    http = undefined;
  });

  describe('one everything server over stdio, shared by the calls that leave it running', () => {
    let s: McpServers;
    before(async () => {
      s = new McpServers(tmpdir(), testMcpOptions, silentLogger);
      s.configure([everythingStdio()]);
      await s.ready(new AbortController().signal);
    });
    after(() => s.close());

    it('offers its tools as server__tool with schema, description and kind; a call runs after permission', async () => {
      assert.deepEqual(s.takeNotices(), []);
      const echo = tool(s, 'everything__echo');
      assert.equal(echo.kind, 'read');
      assert.equal(echo.spec.description, 'Echoes back the input string');
      assert.deepEqual((echo.spec.parameters as any).required, ['message']);
      assert.equal((echo.spec.parameters as any).properties.message.type, 'string');
      assert.ok(s.tools().some((t) => t.spec.name === 'everything__get-sum'));

      const host = new FakeHost({}, allowAll);
      const result = await echo.run({ message: 'hi there' }, context(host));
      assert.equal(result.output, 'Echo: hi there');
      assert.equal(result.failed, false);
      assert.deepEqual(result.content, [{ type: 'content', content: { type: 'text', text: 'Echo: hi there' } }]);
      assert.equal(host.requests[0].method, 'session/request_permission');
      assert.equal(host.requests[0].params.toolCall.kind, 'read');
      assert.match(host.requests[0].params.options[1].name, /Always allow Echo Tool of MCP server everything in this session/);
    });

    it('shows an image result as an image block and tells the model it was shown', async () => {
      const result = await tool(s, 'everything__get-tiny-image').run({}, context(new FakeHost({}, allowAll)));
      const image = result.content!.find((c: any) => c.content.type === 'image') as any;
      assert.equal(image.content.mimeType, 'image/png');
      assert.ok(image.content.data.length > 100);
      assert.match(result.output, /\[image image\/png, shown to the user\]/);
    });

    it('a denied permission does not call the server; bad arguments come back as an error result', async () => {
      const sum = tool(s, 'everything__get-sum');
      const denied = await sum.run({ a: 1, b: 2 }, context(new FakeHost({}, () => ({ outcome: { outcome: 'selected', optionId: 'reject_once' } }))));
      assert.deepEqual([denied.failed, denied.output], [true, 'everything__get-sum was not run: the user rejected it.']);

      const bad = await sum.run({ a: 'one' }, context(new FakeHost({}, allowAll)));
      assert.equal(bad.failed, true);
      assert.match(bad.output, /^Error: .*(Invalid|expected number)/s);
    });

  });

  it('Streamable HTTP: sends the given headers, a call succeeds, a throwing tool fails, and list_changed refreshes the tools', async () => {
    http = await FakeMcpHttpServer.start();
    const s = servers();
    s.configure([{ type: 'http', name: 'web', url: http.url, headers: [{ name: 'Authorization', value: 'Bearer mcp-secret' }] }]);
    await s.ready(new AbortController().signal);
    assert.deepEqual(s.takeNotices(), []);
    assert.deepEqual(s.tools().map((t) => [t.spec.name, t.kind]), [['web__add', 'read'], ['web__fail', 'other']]);
    assert.ok(http.headers.every((h) => h.authorization === 'Bearer mcp-secret'));

    const host = new FakeHost({}, allowAll);
    assert.equal((await tool(s, 'web__add').run({ a: 2, b: 40 }, context(host))).output, '42');
    const failed = await tool(s, 'web__fail').run({}, context(host));
    assert.deepEqual([failed.failed, failed.output], [true, 'Error: the fail tool failed on purpose']);

    http.addTool('late');
    await waitFor('the new tool', () => s.tools().some((t) => t.spec.name === 'web__late'));
  });

  it('a redirect is followed only to a URL --allow-mcp allows too, else the server is reported and left out', async () => {
    http = await FakeMcpHttpServer.start();
    const moved = http.url.replace(/\/mcp$/, '/moved/here');
    const onlyMoved = servers({ ...testMcpOptions, policy: McpPolicy.parse([`http:${moved}`]) });
    onlyMoved.configure([{ type: 'http', name: 'web', url: moved, headers: [] }]);
    await onlyMoved.ready(new AbortController().signal);
    assert.deepEqual(onlyMoved.tools(), []);
    assert.match(onlyMoved.takeNotices().join('\n'), new RegExp(`MCP server web did not start: .*it sent Punie to ${http.url.replace(/[.]/g, '\\.')}, which this server's --allow-mcp does not allow`));

    const wholeHost = servers({ ...testMcpOptions, policy: McpPolicy.parse([`http:${http.url.replace(/\/mcp$/, '/*')}`]) });
    wholeHost.configure([{ type: 'http', name: 'web', url: moved, headers: [] }]);
    await wholeHost.ready(new AbortController().signal);
    assert.deepEqual(wholeHost.tools().map((t) => t.spec.name), ['web__add', 'web__fail'], 'the allowed redirect is followed');
  });

  it('read-only mode refuses a tool not marked read-only without asking, and allows a read-only one', async () => {
    http = await FakeMcpHttpServer.start();
    const s = servers();
    s.configure([{ type: 'http', name: 'web', url: http.url, headers: [] }]);
    await s.ready(new AbortController().signal);
    const host = new FakeHost({}, allowAll);
    const refused = await tool(s, 'web__fail').run({}, context(host, undefined, 'read-only'));
    assert.equal(refused.failed, true);
    assert.match(refused.output, /read-only mode/);
    assert.equal(host.requests.length, 0);
    assert.equal((await tool(s, 'web__add').run({ a: 1, b: 1 }, context(host, undefined, 'read-only'))).output, '2');
  });

  it('a server that cannot start or never answers is reported once and the others go on', async () => {
    http = await FakeMcpHttpServer.start();
    const s = servers({ ...testMcpOptions, startTimeoutMs: 1500 });
    s.configure([
      { name: 'missing', command: '/nonexistent/mcp-server', args: [], env: [] },
      { name: 'silent', command: process.execPath, args: ['-e', 'console.error("warming up as " + process.pid); setInterval(() => {}, 1000)'], env: [] },
      { type: 'http', name: 'web', url: http.url, headers: [] },
    ]);
    const started = Date.now();
    await s.ready(new AbortController().signal);
    assert.ok(Date.now() - started < 4000, 'bounded by the start timeout');
    const notices = s.takeNotices();
    assert.equal(notices.length, 2);
    assert.match(notices.find((n) => n.includes('missing'))!, /^MCP server missing did not start: .*ENOENT/);
    const silent = notices.find((n) => n.includes('silent'))!;
    assert.match(silent, /^MCP server silent did not start: it did not answer within 1500 ms \(it said: warming up as \d+\)$/);
    assert.deepEqual(s.takeNotices(), [], 'each is said once');
    assert.deepEqual(s.tools().map((t) => t.spec.name), ['web__add', 'web__fail'], 'the working server goes on');
    await waitFor('the silent child to be killed', () => !isAlive(Number(/as (\d+)/.exec(silent)![1])));
  });

  it('a server that crashes mid-call fails the call, and is restarted with backoff', async () => {
    const s = servers();
    s.configure([everythingStdio()]);
    await s.ready(new AbortController().signal);
    const [first] = s.pids();
    const call = tool(s, 'everything__trigger-long-running-operation').run({ duration: 10, steps: 10 }, context(new FakeHost({}, allowAll)));
    await new Promise((r) => setTimeout(r, 300));
    process.kill(first, 'SIGKILL');
    await assert.rejects(call, /MCP server everything stopped during the call/);
    await waitFor('the restart', () => s.tools().length > 0 && s.pids().length === 1 && s.pids()[0] !== first, 8000);
    assert.ok(!isAlive(first));
    assert.deepEqual(s.takeNotices(), []);
    const echo = await tool(s, 'everything__echo').run({ message: 'back' }, context(new FakeHost({}, allowAll)));
    assert.equal(echo.output, 'Echo: back');
  });

  it('gives a server up after its restart attempts and says so once', async () => {
    const s = servers({ ...testMcpOptions, restart: { ...testMcpOptions.restart, maxAttempts: 0 } });
    s.configure([everythingStdio()]);
    await s.ready(new AbortController().signal);
    process.kill(s.pids()[0], 'SIGKILL');
    await waitFor('the notice', () => s.tools().length === 0);
    await waitFor('the notice', () => s.takeNotices().some((n) => n.startsWith('MCP server everything stopped and could not be restarted')));
  });

  it('close stops every child process; a reload with the same list keeps them, a changed list stops the dropped one', async () => {
    const s = servers();
    s.configure([everythingStdio('one'), everythingStdio('two')]);
    await s.ready(new AbortController().signal);
    const pids = s.pids();
    assert.equal(pids.length, 2);
    s.configure([everythingStdio('one'), everythingStdio('two')]);
    await s.ready(new AbortController().signal);
    assert.deepEqual(s.pids(), pids, 'same servers, same processes');
    s.configure([everythingStdio('one')]);
    await waitFor('two to stop', () => !isAlive(pids[1]));
    assert.deepEqual(s.pids(), [pids[0]]);
    await s.close();
    assert.ok(!isAlive(pids[0]), 'no orphan');
    assert.deepEqual(s.tools(), []);
  });

  it('a server the policy forbids is not started, with a notice saying how to allow it', async () => {
    const s = servers({ ...testMcpOptions, policy: McpPolicy.parse(['http:https://mcp.example.com/*']) });
    s.configure([everythingStdio()]);
    await s.ready(new AbortController().signal);
    assert.deepEqual(s.pids(), []);
    assert.match(s.takeNotices()[0], /^MCP server everything was not started: .*--allow-mcp/);
  });
});
