import assert from 'node:assert/strict';
import { PermissionGate, permissionOptions } from '../../src/agent/tools/permission';
import { FakeHost } from '../helpers/fakeHost';

describe('PermissionGate', () => {
  const toolCall = { toolCallId: 'call-1', title: 'Write a.txt', kind: 'edit' as const };

  function ask(gate: PermissionGate, host: FakeHost, kind: 'edit' | 'execute' = 'edit', mode = 'default', signal = new AbortController().signal) {
    return gate.ask({ host, sessionId: 's', mode, kind, toolCall: { ...toolCall, kind }, signal });
  }

  function answering(...outcomes: unknown[]): FakeHost {
    return new FakeHost({}, () => outcomes.shift());
  }

  const selected = (optionId: string) => ({ outcome: { outcome: 'selected', optionId } });

  it('offers allow once / always and reject once / always, and sends the tool call', async () => {
    const host = answering(selected('allow_once'));
    assert.deepEqual(await ask(new PermissionGate(), host), { allowed: true });
    const [req] = host.requests;
    assert.equal(req.method, 'session/request_permission');
    assert.equal(req.params.sessionId, 's');
    assert.equal(req.params.toolCall.toolCallId, 'call-1');
    assert.deepEqual(req.params.options.map((o: { kind: string }) => o.kind), ['allow_once', 'allow_always', 'reject_once', 'reject_always']);
    assert.deepEqual(req.params.options, permissionOptions('edit'));
  });

  it('a reject option denies (regression: Punie ran the call on any selected outcome)', async () => {
    const decision = await ask(new PermissionGate(), answering(selected('reject_once')));
    assert.deepEqual(decision, { allowed: false, reason: 'the user rejected it' });
  });

  it('allow once asks again next time', async () => {
    const gate = new PermissionGate();
    const host = answering(selected('allow_once'), selected('reject_once'));
    assert.equal((await ask(gate, host)).allowed, true);
    assert.equal((await ask(gate, host)).allowed, false);
    assert.equal(host.requests.length, 2);
  });

  it('allow always is remembered per tool kind, and only for that kind', async () => {
    const gate = new PermissionGate();
    const host = answering(selected('allow_always'), selected('reject_once'));
    assert.equal((await ask(gate, host, 'edit')).allowed, true);
    assert.equal((await ask(gate, host, 'edit')).allowed, true);
    assert.equal(host.requests.length, 1, 'the second edit did not ask');
    assert.equal((await ask(gate, host, 'execute')).allowed, false, 'commands still ask');
    assert.equal(host.requests.length, 2);
    assert.equal(gate.rememberedFor('edit'), 'allow');
  });

  it('reject always is remembered and denies without asking', async () => {
    const gate = new PermissionGate();
    const host = answering(selected('reject_always'));
    assert.equal((await ask(gate, host, 'execute')).allowed, false);
    const again = await ask(gate, host, 'execute');
    assert.equal(again.allowed, false);
    assert.match((again as { reason: string }).reason, /always reject commands/);
    assert.equal(host.requests.length, 1);
  });

  for (const [label, answer, reason] of [
    ['a dismissed request (cancelled)', { outcome: { outcome: 'cancelled' } }, /dismissed/],
    ['an unknown option id', selected('approve'), /unknown option "approve"/],
    ['an invalid outcome', { outcome: 'yes' }, /invalid outcome/],
    ['a null answer', null, /invalid outcome/],
  ] as const) {
    it(`denies on ${label}`, async () => {
      const decision = await ask(new PermissionGate(), answering(answer));
      assert.equal(decision.allowed, false);
      assert.match((decision as { reason: string }).reason, reason);
    });
  }

  it('denies when the request fails (client error or disconnect)', async () => {
    const host = new FakeHost({}, () => {
      throw new Error('client disconnected');
    });
    const decision = await ask(new PermissionGate(), host);
    assert.deepEqual(decision, { allowed: false, reason: 'the permission request failed: client disconnected' });
  });

  it('read-only mode denies writes and commands without asking', async () => {
    const host = answering(selected('allow_once'));
    for (const kind of ['edit', 'execute'] as const) {
      const decision = await ask(new PermissionGate(), host, kind, 'read-only');
      assert.equal(decision.allowed, false);
      assert.match((decision as { reason: string }).reason, /read-only mode/);
    }
    assert.equal(host.requests.length, 0);
  });

  it('waits for the user with no time cap, and a cancel ends the wait with the abort', async () => {
    const controller = new AbortController();
    const host = new FakeHost({}, () => new Promise(() => {}));
    const pending = ask(new PermissionGate(), host, 'edit', 'default', controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await assert.rejects(pending, /cancelled/);
    assert.ok(host.requests[0].signal.aborted, 'the request itself was withdrawn');
  });
});
