import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionUpdate } from '../../src/protocol/acp';
import { PERMISSION_META, type PermissionRecord } from '../../src/protocol/punie';
import { permissionOutcome, recordedPermission } from '../../src/server/permissionRecord';
import type { PunieServer } from '../../src/server/server';
import { RequestTimeoutError } from '../../src/transport/errors';
import { AcpClients, choose, waitForCancel } from '../helpers/acpClient';
import { startServer } from '../helpers/server';

const permissionOf = (u: any) => u._meta?.[PERMISSION_META] as PermissionRecord | undefined;

describe('server: permission questions and their answers in the session log', () => {
  let server: PunieServer | undefined;
  let dataDir: string;
  let dir: string;
  const clients = new AcpClients(() => server!.urls().acp);

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'punie-perm-store-'));
    dir = await mkdtemp(join(tmpdir(), 'punie-perm-'));
    await writeFile(join(dir, 'README.md'), '# Demo\n');
    server = await startServer({ dataDir });
  });
  afterEach(async () => {
    await clients.closeAll();
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('records each question and the option chosen as tool_call_updates (ACP kinds only), replayed by session/load after a restart', async () => {
    const client = await clients.connect({ permission: choose('reject_once') });
    const sessionId = await client.newSession(dir, 'test:tools');
    assert.equal(await client.prompt(sessionId, 'go'), 'end_turn');
    const live = client.updates.map((n: any) => n.update).filter((u: any) => permissionOf(u));
    const asked = client.requests.filter((r) => r.method === 'session/request_permission');
    assert.ok(asked.length >= 1);
    assert.equal(live.length, asked.length * 2, 'one record when asked, one with the outcome');
    for (const u of live) assert.ok(SessionUpdate.safeParse(u).success && u.sessionUpdate === 'tool_call_update');
    const first = asked[0].params;
    assert.deepEqual(permissionOf(live[0]), { title: first.toolCall.title, options: first.options.map(({ optionId, name, kind }: any) => ({ optionId, name, kind })) });
    assert.deepEqual(permissionOf(live[1])!.outcome, { outcome: 'selected', optionId: 'reject_once' });
    assert.equal(live[1].toolCallId, first.toolCall.toolCallId);

    await server!.close();
    server = await startServer({ dataDir });
    const again = await clients.connect();
    const before = again.updates.length;
    await again.call('session/load', { sessionId, cwd: dir, mcpServers: [] });
    const replayed = again.updates.slice(before).map((n: any) => n.update);
    const call = replayed.find((u: any) => u.sessionUpdate === 'tool_call' && u.toolCallId === first.toolCall.toolCallId);
    assert.ok(call, 'the tool call is replayed');
    assert.equal(call.status, 'failed', 'its own fields survive the fold');
    assert.deepEqual(permissionOf(call), { title: first.toolCall.title, options: permissionOf(live[0])!.options, outcome: { outcome: 'selected', optionId: 'reject_once' } });
    assert.ok(replayed.every((u: any) => SessionUpdate.safeParse(u).success));
  });

  it('a question cancelled with its turn is recorded as cancelled', async () => {
    const client = await clients.connect({ permission: waitForCancel });
    const sessionId = await client.newSession(dir, 'test:tools');
    const prompt = client.prompt(sessionId, 'go');
    await client.waitForRequest('session/request_permission');
    await client.cancel(sessionId);
    assert.equal(await prompt, 'cancelled');
    const records = client.updates.map((n: any) => permissionOf(n.update)).filter((r) => r !== undefined);
    assert.deepEqual(records.map((r) => r.outcome), [undefined, { outcome: 'cancelled' }]);
  });
});

describe('recordedPermission', () => {
  const params = { sessionId: 's', toolCall: { toolCallId: 'call-1', title: 'Write a.txt' }, options: [{ optionId: 'allow_once', name: 'Allow', kind: 'allow_once' }] };

  it('writes the question, then the outcome, and passes the answer or the error through', async () => {
    const notes: any[] = [];
    const answer = { outcome: { outcome: 'selected', optionId: 'allow_once' } };
    assert.deepEqual(await recordedPermission(params, new AbortController().signal, () => Promise.resolve(answer), (u) => notes.push(u)), answer);
    assert.deepEqual(notes.map((u) => [u.toolCallId, permissionOf(u)!.outcome]), [['call-1', undefined], ['call-1', { outcome: 'selected', optionId: 'allow_once' }]]);
    notes.length = 0;
    const failure = new RequestTimeoutError('session/request_permission', 7, 1000);
    await assert.rejects(recordedPermission(params, new AbortController().signal, () => Promise.reject(failure), (u) => notes.push(u)), failure);
    assert.deepEqual(permissionOf(notes[1])!.outcome, { outcome: 'failed', reason: 'no answer came in time' });
  });

  it('writes nothing for params that are not a permission request, and judges bad answers as failed', async () => {
    const notes: any[] = [];
    assert.equal(await recordedPermission({ nope: 1 }, new AbortController().signal, () => Promise.resolve(5), (u) => notes.push(u)), 5);
    assert.equal(notes.length, 0);
    assert.equal(permissionOutcome({ value: { outcome: { outcome: 'failed', reason: 'x' } } }).outcome, 'failed');
    assert.deepEqual(permissionOutcome({ value: null }), { outcome: 'failed', reason: 'the client gave an answer that is not one of the options' });
    assert.deepEqual(permissionOutcome({ error: new Error('x'), aborted: true }), { outcome: 'cancelled' });
  });
});
