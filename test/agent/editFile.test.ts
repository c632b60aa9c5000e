import assert from 'node:assert/strict';
import { AgentSession, defaultAgentSessionOptions } from '../../src/agent/session';
import { applyTextEdits, describeEdits } from '../../src/agent/tools/editText';
import { FakeHost } from '../helpers/fakeHost';
import { call, ScriptedModel, text, type Step } from '../helpers/scriptedModel';

const FULL = { fs: { readTextFile: true, writeTextFile: true }, terminal: true };
const edit = (oldText: string, newText: string) => ({ oldText, newText });
/** The text the edits produce; fails the test when they are refused. */
function edited(text: string, edits: ReturnType<typeof edit>[]): string {
  const result = applyTextEdits(text, edits);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.text;
}

describe('edit_file text edits', () => {
  it('replaces each unique old text and says where, in lines of the result', () => {
    const result = applyTextEdits('a\nb\nc\nd\n', [edit('d\n', 'D1\nD2\n'), edit('b\n', '')]);
    assert.ok(result.ok);
    assert.equal(result.text, 'a\nc\nD1\nD2\n');
    assert.deepEqual(result.applied, [
      { line: 2, removedLines: 1, addedLines: 0 },
      { line: 3, removedLines: 1, addedLines: 2 },
    ]);
    assert.equal(describeEdits('/w/f', result.applied), 'Edited /w/f (2 edits; at line 2, 1 line replaced by 0; at line 3, 1 line replaced by 2).');
  });

  it('refuses an old text that is not found, with a hint when its first line is there', () => {
    const missing = applyTextEdits('one\ntwo\n', [edit('three', 'x')]);
    assert.deepEqual(missing, { ok: false, error: 'old_text was not found in the file. Read the file again and copy the text exactly, including indentation' });
    const drifted = applyTextEdits('one\ntwo\n', [edit('two\nthree', 'x')]);
    assert.ok(!drifted.ok);
    assert.match(drifted.error, /its first line occurs at line 2, but the lines after it differ/);
  });

  it('refuses an old text that is not unique, naming the lines', () => {
    const result = applyTextEdits('x = 1\ny\nx = 1\n', [edit('y', 'z'), edit('x = 1', 'x = 2')]);
    assert.deepEqual(result, { ok: false, error: 'edit 2: old_text occurs 2 times (lines 1, 3); include more surrounding lines so that it is unique' });
  });

  it('refuses overlapping edits, and edits see the original text, not each other', () => {
    assert.deepEqual(applyTextEdits('abcdef', [edit('abc', 'X'), edit('cde', 'Y')]), { ok: false, error: 'edits 1 and 2 overlap; merge them into one edit' });
    assert.equal(edited('ab', [edit('a', 'b'), edit('b', 'c')]), 'bc');
  });

  it('keeps CRLF line ends and the absence of a trailing newline', () => {
    assert.equal(edited('one\r\ntwo\r\nthree', [edit('two\nthree', 'TWO\nTHREE')]), 'one\r\nTWO\r\nTHREE');
    assert.equal(edited('one\ntwo\n', [edit('two', '2')]), 'one\n2\n');
  });

  it('fills an empty file only with one empty old text, and refuses an empty old text otherwise', () => {
    assert.equal(edited('', [edit('', 'hello\n')]), 'hello\n');
    assert.ok(!applyTextEdits('x', [edit('', 'y')]).ok);
    assert.match((applyTextEdits('x', [edit('x', 'y'), edit('', 'z')]) as { error: string }).error, /edit 2: old_text is empty/);
    assert.deepEqual(applyTextEdits('x', []), { ok: false, error: 'no edits were given' });
  });

  it('edits a large file quickly', () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`);
    const started = performance.now();
    const result = applyTextEdits(lines.join('\n'), [edit('line 10\n', 'ten\n'), edit('line 199999', 'last')]);
    assert.ok(result.ok);
    assert.ok(result.text.startsWith('line 0\n') && result.text.endsWith('\nlast'));
    assert.deepEqual(result.applied.map((a) => a.line), [11, 200_000]);
    assert.ok(performance.now() - started < 2000);
  });
});

describe('edit_file tool', () => {
  function run(steps: Step[], files: Record<string, string>, answer: (params: any) => unknown = () => ({ outcome: { outcome: 'selected', optionId: 'allow_once' } })) {
    const host = new FakeHost(FULL, (method, params) => {
      if (method === 'fs/read_text_file') {
        if (!(params.path in files)) throw new Error(`File not found: ${params.path}`);
        return { content: files[params.path] };
      }
      if (method === 'fs/write_text_file') return void (files[params.path] = params.content);
      if (method === 'session/request_permission') return answer(params);
      throw new Error(`unexpected ${method}`);
    });
    const model = new ScriptedModel(steps);
    const agent = new AgentSession('s1', '/w', model, host, defaultAgentSessionOptions);
    return { agent, model, host };
  }
  const prompt = [{ type: 'text' as const, text: 'edit' }];
  const editCall = (edits: { old_text: string; new_text: string }[]) => call('edit_file', { path: 'f.txt', edits });

  it('proposes the edit as a diff, writes it after permission and tells the model what changed', async () => {
    const files = { '/w/f.txt': 'a\nb\n' };
    const { agent, model, host } = run([[editCall([{ old_text: 'b', new_text: 'B' }])], [text('ok')]], files);
    await agent.prompt(prompt);
    assert.equal(files['/w/f.txt'], 'a\nB\n');
    assert.deepEqual(host.requests[1].params.toolCall.content, [{ type: 'diff', path: '/w/f.txt', oldText: 'a\nb\n', newText: 'a\nB\n' }]);
    assert.equal(host.requests[1].params.toolCall.title, 'Edit f.txt');
    assert.equal(model.requests[1].messages.at(-1)!.content, 'Edited /w/f.txt (1 edit; at line 2, 1 line replaced by 1).');
  });

  it('writes the version the user accepted and tells the model how it differs from the proposal', async () => {
    const files = { '/w/f.txt': 'a\nb\n' };
    const accepted = { outcome: { outcome: 'selected', optionId: 'allow_once' }, _meta: { 'punie/review': { content: 'a\nBee\n', note: 'the user edited it' } } };
    const { agent, model, host } = run([[editCall([{ old_text: 'b', new_text: 'B' }])], [text('ok')]], files, () => accepted);
    await agent.prompt(prompt);
    assert.equal(files['/w/f.txt'], 'a\nBee\n');
    const result = model.requests[1].messages.at(-1)!.content;
    assert.match(result, /^The user accepted a changed version of your change to \/w\/f\.txt \(the user edited it\); that version was written/);
    assert.match(result, /-B\n\+Bee/);
    const last = host.updates.filter((u) => u.sessionUpdate === 'tool_call_update').at(-1) as any;
    assert.deepEqual([last.status, last.content[0].newText], ['completed', 'a\nBee\n']);
  });

  it('ignores a malformed review answer and writes the proposal', async () => {
    const files = { '/w/f.txt': 'a\n' };
    const answer = { outcome: { outcome: 'selected', optionId: 'allow_once' }, _meta: { 'punie/review': { content: 42 } } };
    const { agent, model } = run([[editCall([{ old_text: 'a', new_text: 'b' }])], [text('ok')]], files, () => answer);
    await agent.prompt(prompt);
    assert.equal(files['/w/f.txt'], 'b\n');
    assert.match(model.requests[1].messages.at(-1)!.content, /^Edited \/w\/f\.txt/);
  });

  it('fails without asking when the old text does not match, or the file does not exist', async () => {
    const files = { '/w/f.txt': 'a\n' };
    const { agent, model, host } = run([[editCall([{ old_text: 'zzz', new_text: 'y' }]), call('edit_file', { path: 'nope.txt', edits: [{ old_text: 'a', new_text: 'b' }] }, 'm2')], [text('ok')]], files);
    await agent.prompt(prompt);
    assert.ok(!host.requests.some((r) => r.method !== 'fs/read_text_file'), 'no permission asked, nothing written');
    const results = model.requests[1].messages.filter((m) => m.role === 'tool').map((m) => m.content);
    assert.match(results[0], /^Error: the edit of \/w\/f\.txt was not done: old_text was not found/);
    assert.match(results[1], /could not be read \(does it exist\?\)\. Use write_file to create a new file\./);
  });

  it('a rejected edit is not written and the model is told', async () => {
    const files = { '/w/f.txt': 'a\n' };
    const { agent, model } = run([[editCall([{ old_text: 'a', new_text: 'b' }])], [text('ok')]], files, () => ({ outcome: { outcome: 'selected', optionId: 'reject_once' } }));
    await agent.prompt(prompt);
    assert.equal(files['/w/f.txt'], 'a\n');
    assert.match(model.requests[1].messages.at(-1)!.content, /The change to \/w\/f\.txt was not made: the user rejected it/);
  });
});
