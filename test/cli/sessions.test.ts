import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask } from '../../src/cli/ask';
import { sessions } from '../../src/cli/sessions';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } } };
}

describe('punie sessions and punie ask --session (embedded servers, one data dir)', function () {
  this.timeout(15_000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'punie-cli-sessions-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lists, shows, continues and deletes a session across separate runs', async () => {
    const first = capture();
    await ask(['--data-dir', dir, 'first question'], first.io);
    const id = /\(session (punie-session-[0-9a-f]+);/.exec(first.out.stderr)?.[1];
    assert.ok(id, first.out.stderr);

    const listed = capture();
    await sessions(['list', '--data-dir', dir], listed.io);
    assert.match(listed.out.stdout, new RegExp(`^${id}  \\S+  first question  `));

    const second = capture();
    await ask(['--data-dir', dir, '--session', id, 'second question'], second.io);
    assert.match(second.out.stdout, /You asked: \*second question\*/);
    assert.doesNotMatch(second.out.stdout, /You asked: \*first question\*/, 'continuing does not print the earlier answer again');
    assert.match(second.out.stdout, /Earlier in this conversation you asked: \*first question\*/, 'the model got the earlier turn');

    const shown = capture();
    await sessions(['show', id, '--data-dir', dir], shown.io);
    assert.match(shown.out.stdout, /you: first question\n\npunie: .*first question.*\n\nyou: second question\n\npunie: /s);

    const deleted = capture();
    await sessions(['delete', id, '--data-dir', dir], deleted.io);
    assert.equal(deleted.out.stdout, `deleted ${id}\n`);
    const empty = capture();
    await sessions(['list', '--data-dir', dir], empty.io);
    assert.equal(empty.out.stdout, 'no sessions\n');
    await assert.rejects(ask(['--data-dir', dir, '--session', id, 'again?'], capture().io), /not found/);
  });

  it('refuses a sub-command it does not know, and show/delete without an id', async () => {
    await assert.rejects(sessions(['rename'], capture().io), /list, show <id> or delete <id>/);
    await assert.rejects(sessions(['show'], capture().io), /needs a session id/);
  });
});
