import assert from 'node:assert/strict';
import { ask } from '../../src/cli/ask';
import { expectedText, until } from '../helpers/client';
import { useServerBehindProxy } from '../helpers/server';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } } };
}

describe('punie ask', function () {
  this.timeout(10_000);

  it('answers with an embedded server', async () => {
    const { out, io } = capture();
    await ask(['what is this?'], io);
    assert.match(out.stdout, /You asked: \*what is this\?\*/);
    assert.match(out.stderr, /Working/);
  });

  describe('through a connection that drops mid-answer', () => {
    const env = useServerBehindProxy();

    it('prints the whole answer once, in order, and says it reconnected', async () => {
      const { out, io } = capture();
      const model = 'test?chunks=200&chunkSize=16&delayMs=3';
      const done = ask(['--server', env.proxy.url(), '--model', model, 'go'], io);
      for (const at of [300, 1500]) {
        await until(() => out.stdout.length >= at, `${at} characters of answer`);
        env.proxy.cut();
      }
      await done;
      assert.equal(out.stdout, expectedText(200, 16) + '\n');
      assert.equal(out.stderr.match(/reconnecting…/g)?.length, 2, out.stderr);
      assert.equal(out.stderr.match(/✓ reconnected; the answer continues/g)?.length, 2);
    });

    it('fails at once with the reason when the server cannot be reached at all', async () => {
      const { out, io } = capture();
      env.proxy.refuseNew = true;
      await assert.rejects(ask(['--server', env.proxy.url(), '--retries', '5', 'go'], io), /cannot connect to ws:\/\/127\.0\.0\.1:\d+\/ws/);
      assert.equal(out.stdout, '');
    });

    it('fails with the reason when the server goes away mid-answer for good', async () => {
      const { out, io } = capture();
      const done = ask(['--server', env.proxy.url(), '--model', 'test?chunks=200&chunkSize=16&delayMs=3', '--retries', '2', 'go'], io);
      await until(() => out.stdout.length >= 300, '300 characters of answer');
      env.proxy.refuseNew = true;
      env.proxy.cut();
      await assert.rejects(done, /gave up after 2 attempt\(s\): cannot connect to ws:\/\/127\.0\.0\.1:\d+\/ws/);
      assert.match(out.stderr, /reconnecting…/);
    });
  });
});
