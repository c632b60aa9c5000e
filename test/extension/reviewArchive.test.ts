import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_CHARS, ReviewArchive } from '../../src/extension/reviewArchive';

describe('ReviewArchive (what "Open diff" needs after a reload)', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'punie-reviews-')), 'reviews');
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('keeps both texts across instances (a reload), the last save of a review winning', async () => {
    const first = new ReviewArchive(dir);
    assert.equal(await first.save('permission-1', { file: '/w/a.ts', before: 'one\r\n', after: 'ONE\r\n', decided: false }), true);
    await first.save('permission-1', { file: '/w/a.ts', before: 'one\r\n', after: 'accepted\r\n', decided: true });
    await first.save('permission-2', { file: '/w/new.ts', before: null, after: 'x', decided: true });
    const later = new ReviewArchive(dir);
    assert.deepEqual(await later.load('permission-1'), { file: '/w/a.ts', before: 'one\r\n', after: 'accepted\r\n', decided: true });
    assert.deepEqual(await later.load('permission-2'), { file: '/w/new.ts', before: null, after: 'x', decided: true });
    assert.equal(await later.load('permission-3'), undefined);
  });

  it('does not keep a change over the size bound, nor trust a damaged file, nor a path in the id', async () => {
    const archive = new ReviewArchive(dir);
    await archive.save('big', { file: '/w/a', before: 'small', after: 'x', decided: false });
    assert.equal(await archive.save('big', { file: '/w/a', before: 'x'.repeat(MAX_CHARS), after: 'y', decided: true }), false);
    assert.equal(await archive.load('big'), undefined, 'the earlier, smaller version is gone too');
    writeFileSync(path.join(dir, 'bad.json'), '{"file": 1');
    assert.equal(await archive.load('bad'), undefined);
    await archive.save('../../escape', { file: '/w/a', before: null, after: 'x', decided: true });
    assert.deepEqual(readdirSync(dir).sort(), ['______escape.json', 'bad.json']);
  });

  it('keeps only the newest reviews', async () => {
    const archive = new ReviewArchive(dir, 2);
    await archive.save('old', { file: '/w/a', before: null, after: 'a', decided: true });
    utimesSync(path.join(dir, 'old.json'), new Date(1000), new Date(1000));
    await archive.save('mid', { file: '/w/b', before: null, after: 'b', decided: true });
    utimesSync(path.join(dir, 'mid.json'), new Date(2000), new Date(2000));
    await archive.save('new', { file: '/w/c', before: null, after: 'c', decided: true });
    assert.equal(await archive.load('old'), undefined);
    assert.ok(await archive.load('mid'));
    assert.ok(await archive.load('new'));
  });

  it('keeps the newest reviews that fit the total size', async () => {
    const archive = new ReviewArchive(dir, 100, 250);
    await archive.save('first', { file: '/w/a', before: null, after: 'a'.repeat(100), decided: true });
    utimesSync(path.join(dir, 'first.json'), new Date(1000), new Date(1000));
    await archive.save('second', { file: '/w/b', before: null, after: 'b'.repeat(100), decided: true });
    assert.equal(await archive.load('first'), undefined, 'the older one went to make room');
    assert.equal((await archive.load('second'))?.after, 'b'.repeat(100));
  });
});
