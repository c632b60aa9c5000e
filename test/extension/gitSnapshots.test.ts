import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitSnapshots, REF_PREFIX } from '../../src/extension/gitSnapshots';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });

describe('git snapshots of checkpoints (real temp repositories)', () => {
  let dir: string;
  let repo: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'punie-git-')));
    repo = path.join(dir, 'repo');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    writeFileSync(path.join(repo, 'a.txt'), 'committed\n');
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-q', '-m', 'first');
    writeFileSync(path.join(repo, 'a.txt'), 'staged\n');
    git(repo, 'add', 'a.txt');
    writeFileSync(path.join(repo, 'a.txt'), 'working tree\r\nno final newline');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves and loads a turn exactly (CRLF, no final newline, a new file) without touching index, branches or working tree', async () => {
    const snapshots = new GitSnapshots();
    const a = path.join(repo, 'a.txt');
    const created = path.join(repo, 'new', 'deep', 'b.txt');
    assert.equal(await snapshots.repoOf([a, created]), repo, 'a file in a folder not made yet belongs to the repository too');
    const status = git(repo, 'status', '--porcelain=v2', '--branch');
    const staged = git(repo, 'diff', '--cached');
    const branches = git(repo, 'for-each-ref', 'refs/heads', 'refs/tags');
    const snapshot = {
      sessionId: 's',
      turnId: 'user-1/x',
      created: 42,
      files: [
        { path: `file://${a}`, before: 'working tree\r\nno final newline', after: 'agent\r\n' },
        { path: `file://${created}`, before: null, after: 'ünïcödé\n' },
      ],
    };
    await snapshots.save(repo, snapshot);
    assert.deepEqual(await new GitSnapshots().load(repo, 'user-1/x'), snapshot);
    assert.equal(git(repo, 'status', '--porcelain=v2', '--branch'), status);
    assert.equal(git(repo, 'diff', '--cached'), staged, 'the index is as it was');
    assert.equal(git(repo, 'for-each-ref', 'refs/heads', 'refs/tags'), branches);
    assert.equal(readFileSync(a, 'utf8'), 'working tree\r\nno final newline');
    assert.match(git(repo, 'for-each-ref', '--format=%(refname)', REF_PREFIX), /^refs\/punie\/checkpoints\/user-1_x\n$/);

    // A later save of the turn replaces it; dropping lets it go.
    await snapshots.save(repo, { ...snapshot, files: [snapshot.files[0]] });
    assert.equal((await snapshots.load(repo, 'user-1/x'))?.files.length, 1);
    await snapshots.drop(repo, 'user-1/x');
    assert.equal(await snapshots.load(repo, 'user-1/x'), undefined);
    assert.equal(git(repo, 'for-each-ref', REF_PREFIX), '');
  });

  it('is no git workspace outside a repository, across two repositories, or for no files', async () => {
    const snapshots = new GitSnapshots();
    const other = path.join(dir, 'other');
    execFileSync('git', ['init', '-q', other]);
    const plain = path.join(dir, 'plain');
    assert.equal(await snapshots.repoOf([path.join(plain, 'x.txt')]), undefined);
    assert.equal(await snapshots.repoOf([path.join(repo, 'a.txt'), path.join(other, 'b.txt')]), undefined);
    assert.equal(await snapshots.repoOf([]), undefined);
    assert.equal(await snapshots.load(repo, 'never-saved'), undefined);
  });

  it('fails (for the caller to fall back) when the repository cannot take objects', async () => {
    const snapshots = new GitSnapshots();
    rmSync(path.join(repo, '.git', 'objects'), { recursive: true, force: true });
    writeFileSync(path.join(repo, '.git', 'objects'), 'not a folder');
    await assert.rejects(snapshots.save(repo, { sessionId: 's', turnId: 't', created: 1, files: [{ path: 'file:///x', before: null, after: 'x' }] }), /git .* failed/);
  });
});
