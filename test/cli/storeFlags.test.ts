import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args';
import { storeTarget } from '../../src/cli/storeFlags';

describe('cli/storeFlags: punie serve --store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-store-flags-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes the password from the file, else from PUNIE_REDIS_PASSWORD; none without --store', async () => {
    const file = join(dir, 'pw');
    await writeFile(file, 's3cret\n');
    assert.deepEqual(storeTarget('rediss://cache:6380/2', file, { PUNIE_REDIS_PASSWORD: 'env' }), { url: 'rediss://cache:6380/2', password: 's3cret' });
    assert.deepEqual(storeTarget('redis://127.0.0.1:6379', undefined, { PUNIE_REDIS_PASSWORD: 'env' }), { url: 'redis://127.0.0.1:6379', password: 'env' });
    assert.deepEqual(storeTarget('redis://127.0.0.1:6379', undefined, {}), { url: 'redis://127.0.0.1:6379', password: undefined });
    assert.equal(storeTarget(undefined, undefined, {}), undefined);
  });

  it('refuses a password in the URL, another scheme, an empty or missing password file, and a file without --store', async () => {
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    assert.throws(() => storeTarget('redis://:pw@127.0.0.1:6379', undefined, {}), (err: Error) => err instanceof UsageError && /PUNIE_REDIS_PASSWORD/.test(err.message));
    assert.throws(() => storeTarget('postgres://x', undefined, {}), /redis:\/\//);
    assert.throws(() => storeTarget('redis://127.0.0.1', empty, {}), /is empty/);
    assert.throws(() => storeTarget('redis://127.0.0.1', join(dir, 'nope'), {}), /--redis-password-file .*ENOENT/);
    assert.throws(() => storeTarget(undefined, empty, {}), /needs --store/);
  });
});
