import assert from 'node:assert/strict';
import { numberedChunk } from '../../src/agent/models/testModel';
import { defaultAgentSessionOptions } from '../../src/agent/session';
import type { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

const text = (updates: any[]) => updates.filter((m) => m.params.update.sessionUpdate === 'agent_message_chunk').map((m) => m.params.update.content.text).join('');

describe('session/load of a long transcript', () => {
  let server: PunieServer;
  afterEach(() => server.close());

  it('goes at the pace of a client that stops reading, instead of tripping the slow-client close', async function () {
    this.timeout(20_000);
    server = await startServer({
      model: 'test?chunks=400&chunkSize=4096&delayMs=1', // paced: a burst would itself trip these tiny limits
      outboundHighWatermark: 16 * 1024,
      outboundLowWatermark: 4 * 1024,
      slowClientBacklogBytes: 64 * 1024,
      slowClientTimeoutMs: 300,
      slowClientMaxBacklogBytes: 256 * 1024,
    });
    const client = await RawClient.connect(server.urls().acp);
    await client.call(1, 'initialize', { protocolVersion: 1 });
    const sid = (await client.call(2, 'session/new', { cwd: '/w', mcpServers: [] })).result.sessionId;
    await client.call(3, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'go' }] });
    const before = client.messages.length;
    const tcp = (client.socket as any)._socket;
    tcp.pause();
    client.send({ jsonrpc: '2.0', id: 4, method: 'session/load', params: { sessionId: sid, cwd: '/w', mcpServers: [] } });
    await new Promise((r) => setTimeout(r, 800)); // well past the 300 ms slow-client timer
    tcp.resume();
    const loaded = await client.next((m) => m.id === 4, 10_000);
    assert.ok(loaded.result, 'answered, not closed with 1013');
    const replayed = client.messages.slice(before, client.messages.indexOf(loaded)).filter((m) => m.method === 'session/update');
    assert.equal(text(replayed), Array.from({ length: 400 }, (_, i) => numberedChunk(i, 4096)).join(''), '1.6 MB transcript, all of it');
    client.close();
  });

  it('holds the events of a running turn until the transcript is through, so the client sees them in order', async () => {
    // A transcript larger than the loopback socket buffers, small watermarks and a client that pauses make
    // the reload wait while the turn goes on.
    server = await startServer({
      model: 'test?chunks=300&chunkSize=60000&delayMs=4',
      outboundHighWatermark: 8 * 1024,
      outboundLowWatermark: 2 * 1024,
      agent: { ...defaultAgentSessionOptions, maxTranscriptChars: 64 * 1024 * 1024 },
    });
    const client = await RawClient.connect(server.urls().acp);
    await client.call(1, 'initialize', { protocolVersion: 1 });
    const sid = (await client.call(2, 'session/new', { cwd: '/w', mcpServers: [] })).result.sessionId;
    client.send({ jsonrpc: '2.0', id: 3, method: 'session/prompt', params: { sessionId: sid, prompt: [{ type: 'text', text: 'go' }] } });
    await client.next((m) => client.updates(sid).length >= 150 && m.method === 'session/update');
    const before = client.messages.length;
    const tcp = (client.socket as any)._socket;
    tcp.pause();
    client.send({ jsonrpc: '2.0', id: 4, method: 'session/load', params: { sessionId: sid, cwd: '/w', mcpServers: [] } });
    await new Promise((r) => setTimeout(r, 200));
    tcp.resume();
    await client.next((m) => m.id === 3, 10_000);
    // Live events already on the wire before the server took the load may come first; from the replay's first
    // entry on, the transcript must be through before any live event.
    const all = client.messages.slice(before).filter((m) => m.method === 'session/update');
    const after = all.slice(Math.max(0, all.findIndex((m) => m.params._meta?.replay)));
    const firstLive = after.findIndex((m) => !m.params._meta?.replay);
    assert.ok(after[0]?.params._meta?.replay, 'the transcript is replayed');
    assert.ok(firstLive > 0, 'the turn was still running: live events follow the transcript');
    assert.ok(after.slice(firstLive).every((m) => !m.params._meta?.replay), 'no transcript entry after a live event');
    assert.equal(text(after), Array.from({ length: 300 }, (_, i) => numberedChunk(i, 60000)).join(''), 'transcript + live = the whole answer, once');
    client.close();
  });
});
