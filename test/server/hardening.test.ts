import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { MAX_JSON_DEPTH } from '../../src/transport/jsonLimits';
import { deepText } from '../fuzz/generate';
import { RawClient, startServer } from '../helpers/server';

describe('server input hardening', () => {
  let server: PunieServer;
  const clients: RawClient[] = [];
  before(async () => {
    server = await startServer({ maxPayload: 1024 * 1024, maxFragments: 100 });
  });
  after(() => server.close());
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  const connect = async (path: 'ws' | 'acp' = 'ws') => {
    const client = await RawClient.connect(server.urls()[path]);
    clients.push(client);
    if (path === 'acp') await client.call('init', 'initialize', { protocolVersion: 1 });
    return client;
  };
  const promptWorks = async (client: RawClient, id: string) => {
    const session = (await client.call(`${id}-new`, 'session/new', { cwd: '/w', mcpServers: [] })).result.sessionId;
    const done = await client.call(id, 'session/prompt', { sessionId: session, prompt: [{ type: 'text', text: 'still there?' }] });
    assert.equal(done.result.stopReason, 'end_turn');
  };

  describe('deep nesting', () => {
    for (const [label, depth, array] of [
      ['objects just past the limit', MAX_JSON_DEPTH, false],
      ['arrays 100,000 levels deep', 100_000, true],
      ['objects 100,000 levels deep', 100_000, false],
    ] as const) {
      for (const path of ['ws', 'acp'] as const) {
        it(`answers ${label} with -32600 under the request id on /${path}`, async () => {
          const client = await connect(path);
          client.send(`{"jsonrpc":"2.0","id":"deep","method":"_punie/echo","params":{"v":${deepText(depth, array)}}}`);
          const reply = await client.next((m) => m.id === 'deep');
          assert.equal(reply.error.code, -32600);
          assert.match(reply.error.message, /_punie\/echo \(request id "deep"\)/);
          assert.match(reply.error.message, new RegExp(`nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`));
          await promptWorks(client, 'after');
        });
      }
    }

    it('accepts nesting within the limit', async () => {
      const client = await connect();
      const params = JSON.parse(`{"v":${deepText(MAX_JSON_DEPTH - 4, false)}}`);
      const reply = await client.call('ok', '_punie/echo', params);
      assert.deepEqual(reply.result.echo, params);
    });
  });

  describe('huge strings, ids and method names', () => {
    it('serves a prompt of almost maxPayload, and closes with 1009 over it', async () => {
      const client = await connect();
      const session = (await client.call(1, 'session/new', { cwd: '/w', mcpServers: [] })).result.sessionId;
      const big = await client.call(2, 'session/prompt', { sessionId: session, prompt: [{ type: 'text', text: 'y'.repeat(1000 * 1000) }] });
      assert.equal(big.result.stopReason, 'end_turn');
      client.send({ jsonrpc: '2.0', id: 3, method: 'session/prompt', params: { sessionId: session, prompt: [{ type: 'text', text: 'z'.repeat(1024 * 1024) }] } });
      assert.equal((await client.closed).code, 1009);
    });

    it('answers an id longer than 256 characters with -32600 and id null, without echoing it', async () => {
      const client = await connect();
      client.send({ jsonrpc: '2.0', id: 'i'.repeat(100_000), method: 'initialize', params: {} });
      const reply = await client.next((m) => m.error);
      assert.equal(reply.id, null);
      assert.equal(reply.error.code, -32600);
      assert.ok(client.raw.at(-1)!.length < 500, 'the long id is not sent back');
    });

    it('answers a 100,000-character method name with -32600 and a short message', async () => {
      const client = await connect('acp');
      const reply = await client.call('m', 'x'.repeat(100_000), {});
      assert.equal(reply.error.code, -32600);
      assert.ok(reply.error.message.length < 200);
    });
  });

  describe('many values', () => {
    it('answers params with more than 20,000 values with -32600 before validating them', async () => {
      const client = await connect();
      client.send(`{"jsonrpc":"2.0","id":"many","method":"session/prompt","params":{"sessionId":"x","prompt":[${Array(200_000).fill('1').join(',')}]}}`);
      const reply = await client.next((m) => m.id === 'many');
      assert.equal(reply.error.code, -32600);
      assert.match(reply.error.message, /session\/prompt \(request id "many"\): params hold more than 20000 values/);
      await promptWorks(client, 'after-many');
    });

    it('names at most 10 validation issues, with their count, so a bad array cannot inflate the answer', async () => {
      const client = await connect('acp');
      const reply = await client.call('bad', 'session/prompt', { sessionId: 'x', prompt: Array(15_000).fill(1) });
      assert.equal(reply.error.code, -32602);
      assert.equal(reply.error.data.issues.length, 10);
      assert.equal(reply.error.data.issueCount, 15_000);
      assert.match(reply.error.message, /; and 14990 more$/);
      assert.ok(client.raw.at(-1)!.length < 5000, `answer of ${client.raw.at(-1)!.length} bytes`);
    });
  });

  describe('prototype keys', () => {
    for (const path of ['ws', 'acp'] as const) {
      it(`answers methods named like Object.prototype members with -32601 on /${path}`, async () => {
        const client = await connect(path);
        for (const method of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
          const reply = await client.call(method, method, {});
          assert.equal(reply.error?.code, -32601, `${method}: ${JSON.stringify(reply)}`);
          assert.match(reply.error.message, new RegExp(`Method not found: ${method}`));
        }
      });
    }

    it('treats __proto__ and constructor keys as plain data everywhere and pollutes nothing', async () => {
      const client = await connect();
      const poison = '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}';
      client.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{${poison},"client_capabilities":{${poison}}}}`);
      assert.ok((await client.next((m) => m.id === 1)).result);
      client.send(`{"jsonrpc":"2.0","id":2,"method":"new_session","params":{${poison},"cwd":"/w","mcp_servers":[],"_meta":{${poison}}}}`);
      const session = (await client.next((m) => m.id === 2)).result.sessionId;
      client.send(`{"jsonrpc":"2.0","id":3,"method":"prompt","params":{"session_id":"${session}","prompt":[{${poison},"type":"text","text":"hi"}]}}`);
      assert.equal((await client.next((m) => m.id === 3)).result.stopReason, 'end_turn');
      client.send(`{"jsonrpc":"2.0","id":4,"method":"_punie/echo","params":{${poison}}}`);
      const echo = await client.next((m) => m.id === 4);
      assert.deepEqual(Object.keys(echo.result.echo), ['__proto__', 'constructor']);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    });
  });

  describe('bytes that are not UTF-8 or not one frame', () => {
    it('closes a text frame with invalid UTF-8 with 1007', async () => {
      const client = await connect();
      client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      assert.equal((await client.closed).code, 1007);
    });

    it('answers a binary frame with invalid UTF-8 on /ws with -32700 and keeps the connection', async () => {
      const client = await connect();
      client.socket.send(Buffer.from([0xc3, 0x28, 0xff]), { binary: true });
      const reply = await client.next((m) => m.error);
      assert.equal(reply.error.code, -32700);
      assert.equal(reply.id, null);
      await promptWorks(client, 'after-binary');
    });

    it('ignores binary frames on /acp, which only speaks text', async () => {
      const client = await connect('acp');
      client.socket.send(Buffer.from([0xc3, 0x28, 0xff]), { binary: true });
      await promptWorks(client, 'after-binary');
      assert.equal(client.messages.filter((m) => m.error).length, 0);
    });

    it('closes a flood of tiny fragments with 1008 once maxFragments is passed', async () => {
      const client = await connect();
      for (let i = 0; i < 150; i++) client.socket.send('{', { fin: false });
      const closed = await client.closed;
      assert.equal(closed.code, 1008);
      const healthy = await connect();
      await promptWorks(healthy, 'after-fragments');
    });
  });
});
