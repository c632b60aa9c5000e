import assert from 'node:assert/strict';
import { numberedChunk } from '../../src/agent/models/testModel';
import type { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

describe('a model that produces a burst of chunks', () => {
  let server: PunieServer;
  let client: RawClient;
  afterEach(async () => {
    client?.close();
    await server.close();
  });

  it('streams it in fewer, longer updates: the same text, contiguous seqs, the response last', async () => {
    server = await startServer();
    client = await RawClient.connect(server.urls().ws);
    const chunks = 2000;
    const session = (await client.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: `test?chunks=${chunks}&chunkSize=8` } })).result.sessionId;
    const done = await client.call('p', 'session/prompt', { sessionId: session, prompt: [{ type: 'text', text: 'go' }] });
    assert.equal(done.result.stopReason, 'end_turn');
    const updates = client.updates(session).filter((u) => u.params.update.sessionUpdate === 'agent_message_chunk'); // not the commands announcement
    assert.equal(updates.map((u) => u.params.update.content.text).join(''), Array.from({ length: chunks }, (_, i) => numberedChunk(i, 8)).join(''));
    assert.ok(updates.length <= chunks / 100, `${updates.length} updates for ${chunks} chunks`);
    const seqs = updates.map((u) => u.params._meta.seq);
    assert.ok(seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1), `contiguous seqs ${seqs.join(',')}`);
    assert.ok(client.messages.indexOf(done) > client.messages.indexOf(updates.at(-1)), 'the response follows every update');
  });
});
