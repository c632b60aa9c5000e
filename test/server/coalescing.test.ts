import assert from 'node:assert/strict';
import { numberedChunk } from '../../src/agent/models/testModel';
import type { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

describe('a client that pauses during a stream', () => {
  let server: PunieServer;
  let client: RawClient;
  afterEach(async () => {
    client?.close();
    await server.close();
  });

  // The outbound queue is the same for both dialects.
  it('gets every character in order, in fewer and larger frames, with seq rising and the response last', async function () {
    this.timeout(30_000);
    server = await startServer({ outboundHighWatermark: 64 * 1024, outboundLowWatermark: 16 * 1024 });
    client = await RawClient.connect(server.urls().ws);
    const chunks = 1280; // 20 MiB: more than the kernel's socket buffers hold, so the server must queue
    const size = 16 * 1024;
    const session = (await client.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: `test?chunks=${chunks}&chunkSize=${size}` } })).result.sessionId;
    client.send({ jsonrpc: '2.0', id: 'p', method: 'session/prompt', params: { sessionId: session, prompt: [{ type: 'text', text: 'go' }] } });
    await client.next((m) => m.method === 'session/update');
    client.socket.pause();
    await new Promise((r) => setTimeout(r, 300));
    client.socket.resume();
    const done = await client.next((m) => m.id === 'p', 30_000);
    assert.equal(done.result.stopReason, 'end_turn');

    const updates = client.updates(session);
    const text = updates.map((u) => u.params.update.content.text).join('');
    assert.equal(text.length, chunks * size);
    assert.ok(text === Array.from({ length: chunks }, (_, i) => numberedChunk(i, size)).join(''), 'nothing lost, nothing reordered');
    assert.ok(updates.length < chunks, `coalesced into ${updates.length} updates`);
    const seqs = updates.map((u) => u.params._meta.seq);
    assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'seq rises');
    assert.equal(seqs.at(-1), chunks, 'the last update carries the highest seq');
    assert.ok(client.messages.indexOf(done) > client.messages.indexOf(updates.at(-1)), 'the response follows every update');
    assert.ok(Math.max(...client.raw.map((r) => Buffer.byteLength(r))) <= 1024 * 1024, 'no frame over 1 MiB');
  });
});
