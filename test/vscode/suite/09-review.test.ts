import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ReviewManager } from '../../../src/extension/reviews';
import { punie, settings, shownSession, waitFor, workspaceDir } from './helpers';

/** The session the chat shows (set before the tests): review cards of other sessions wait outside the chat. */
let SESSION = 'session-of-the-review-test';
const lines = (n: number, change: Record<number, string> = {}) => Array.from({ length: n }, (_, i) => change[i + 1] ?? `line ${i + 1}`).join('\n') + '\n';

/** A permission request for a proposed edit, as any ACP agent (local or remote) sends it: the diff travels in the message. */
function editRequest(callId: string, file: string, oldText: string, newText: string) {
  return {
    sessionId: SESSION,
    toolCall: { toolCallId: callId, title: `Edit ${path.basename(file)}`, kind: 'edit', locations: [{ path: file }], content: [{ type: 'diff', path: file, oldText, newText }] },
    options: [
      { optionId: 'allow', name: 'Allow', kind: 'allow_once' },
      { optionId: 'always', name: 'Always allow file edits in this session', kind: 'allow_always' },
      { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
    ],
  };
}

/** Writes `name` with `oldText` to the workspace and asks to change it to `newText`: the file, the pending answer and its card. */
async function proposeEdit(api: Awaited<ReturnType<typeof punie>>, callId: string, name: string, oldText: string, newText: string) {
  const file = path.join(workspaceDir(), name);
  writeFileSync(file, oldText);
  const answer = api.agentRequest('session/request_permission', editRequest(callId, file, oldText, newText)) as Promise<any>;
  return { file, answer, card: await reviewCard(api, `Edit ${name}`) };
}

async function reviewCard(api: Awaited<ReturnType<typeof punie>>, title: string) {
  return waitFor(`the review card "${title}"`, async () => (await api.probe()).items.find((i) => i.kind === 'permission' && i.text.includes(title) && /review-diff/.test(i.html)));
}

async function cardText(api: Awaited<ReturnType<typeof punie>>, id: string): Promise<string> {
  return (await api.probe()).items.find((i) => i.id === id)?.text ?? '';
}

const proposalTabs = (id: string) =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'punie-proposal' && t.input.modified.path.startsWith(`/${id}/`));

describe('reviewing proposed changes (diff card, diff editor, checkpoints)', () => {
  before(async () => {
    await vscode.commands.executeCommand('punie.openChat');
    SESSION = await shownSession();
  });

  it('opens the diff editor, takes the user edit of the proposal, and writes what was accepted', async () => {
    const api = await punie();
    const { file, answer, card } = await proposeEdit(api, 'call-a', 'review-a.txt', 'one\ntwo\nthree\n', 'one\nTWO\nthree\n');
    assert.match(card.text, /\+1−1/);
    assert.match(card.html, /line-del[\s\S]*two[\s\S]*line-add[\s\S]*TWO/);

    api.view.receive({ type: 'review', id: card.id, action: 'openDiff' });
    const editor = await waitFor('the proposal in the diff editor', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'punie-proposal' && e.document.uri.path.startsWith(`/${card.id}/proposed/`)),
    );
    assert.equal(editor.document.getText(), 'one\nTWO\nthree\n');
    assert.equal(proposalTabs(card.id).length, 1, 'a diff tab');
    await editor.edit((e) => e.replace(new vscode.Range(1, 0, 1, 3), 'TWO, edited'));
    await waitFor('the card to show the edit', async () => (await cardText(api, card.id)).includes('You edited this proposal'));

    await api.choosePermission(card.id, 'allow'); // the card's Accept button
    const response = await answer;
    assert.deepEqual(response.outcome, { outcome: 'selected', optionId: 'allow' });
    assert.deepEqual(response._meta['punie/review'], { content: 'one\nTWO, edited\nthree\n', note: 'the user edited it' });
    await waitFor('the card to say Accepted with your edits', async () => (await cardText(api, card.id)).includes('Accepted with your edits'));
    await waitFor('the diff tab to close', () => proposalTabs(card.id).length === 0);

    // An agent that writes its own proposal anyway gets the accepted version written.
    await api.agentRequest('fs/write_text_file', { sessionId: SESSION, path: file, content: 'one\nTWO\nthree\n' });
    assert.equal(readFileSync(file, 'utf8'), 'one\nTWO, edited\nthree\n');
    assert.equal(api.services().review.highlighter.marked?.uri, vscode.Uri.file(file).toString(), 'the landed change is highlighted');
  });

  it('accepts one hunk and rejects another: only the accepted one is written', async () => {
    const api = await punie();
    const proposed = lines(20, { 2: 'TWO', 18: 'EIGHTEEN' });
    const { file, answer, card } = await proposeEdit(api, 'call-b', 'review-b.txt', lines(20), proposed);
    assert.equal((card.html.match(/class="review-hunk/g) ?? []).length, 2);
    api.view.receive({ type: 'review', id: card.id, action: 'reject', hunk: 0 });
    await waitFor('the first hunk marked rejected', async () => (await cardText(api, card.id)).includes('Rejected'));
    api.view.receive({ type: 'review', id: card.id, action: 'accept', hunk: 1 });
    const response = await answer;
    assert.equal(response.outcome.optionId, 'allow');
    const accepted = lines(20, { 18: 'EIGHTEEN' });
    assert.deepEqual(response._meta['punie/review'], { content: accepted, note: 'the user rejected 1 of 2 hunks' });
    await api.agentRequest('fs/write_text_file', { sessionId: SESSION, path: file, content: accepted });
    assert.equal(readFileSync(file, 'utf8'), accepted);
    const text = await cardText(api, card.id);
    assert.match(text, /Accepted 1 of 2 changes/);
    assert.doesNotMatch((await api.probe()).items.find((i) => i.id === card.id)!.html, /Accept all/, 'the buttons are gone');
  });

  it('rejecting the whole change answers reject and the card says Rejected', async () => {
    const api = await punie();
    const { file, answer, card } = await proposeEdit(api, 'call-c', 'review-c.txt', 'keep\n', 'gone\n');
    await api.choosePermission(card.id, 'reject');
    assert.deepEqual((await answer).outcome, { outcome: 'selected', optionId: 'reject' });
    await waitFor('the card to say Rejected', async () => /Rejected$/.test(await cardText(api, card.id)));
    assert.equal(readFileSync(file, 'utf8'), 'keep\n');
  });

  it('a card restored after a window reload still opens its diff, from the saved texts', async () => {
    const api = await punie();
    const file = path.join(workspaceDir(), 'review-d.txt');
    writeFileSync(file, lines(20));
    const answer = api.agentRequest('session/request_permission', editRequest('call-d', file, lines(20), lines(20, { 2: 'TWO', 18: 'EIGHTEEN' }))) as Promise<any>;
    const card = await reviewCard(api, 'Edit review-d.txt');
    api.view.receive({ type: 'review', id: card.id, action: 'reject', hunk: 0 });
    await waitFor('the first hunk marked rejected', async () => (await cardText(api, card.id)).includes('Rejected'));
    api.view.receive({ type: 'review', id: card.id, action: 'accept', hunk: 1 });
    await answer;
    // A reload leaves the transcript (workspace state) and the storage; the reviews in memory are gone.
    const { review, transcript } = api.services();
    const reloaded = new ReviewManager(transcript, review.proposals, (f) => vscode.workspace.asRelativePath(f), { warn: () => undefined }, review.archive);
    try {
      review.proposals.forget(card.id);
      await reloaded.act(card.id, 'openDiff');
      const editor = await waitFor('the saved diff in the diff editor', () =>
        vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'punie-proposal' && e.document.uri.path.startsWith(`/${card.id}/proposed/`)),
      );
      assert.equal(editor.document.getText(), lines(20, { 18: 'EIGHTEEN' }), 'what was accepted');
      const tab = proposalTabs(card.id)[0];
      assert.ok(tab.input instanceof vscode.TabInputTextDiff);
      assert.equal((await vscode.workspace.openTextDocument(tab.input.original)).getText(), lines(20), 'the text before');
      assert.match(tab.label, /reviewed change/);
      await vscode.window.tabGroups.close(tab);
    } finally {
      reloaded.dispose();
    }
  });

  describe('checkpoints of a turn', () => {
    const notes = () => path.join(workspaceDir(), 'punie-notes.md');
    before(async () => {
      await settings({ 'punie.server.mode': 'local', 'punie.model': 'test:tools', 'punie.permissions.autoApprove': 'all' });
      writeFileSync(path.join(workspaceDir(), 'README.md'), '# Demo project\n');
      rmSync(notes(), { force: true });
    });
    after(async () => {
      await settings({ 'punie.model': undefined, 'punie.server.mode': undefined, 'punie.permissions.autoApprove': undefined });
    });

    it('restores every file the turn changed, after a confirmation that names a file changed since', async () => {
      const api = await punie();
      await vscode.commands.executeCommand('punie.newSession');
      await vscode.commands.executeCommand('punie.ask', 'Look at README.md and run `true`');
      assert.match(readFileSync(notes(), 'utf8'), /\(reviewed\)/);
      const turn = await waitFor('the turn with a checkpoint', async () => (await api.probe()).items.find((i) => i.kind === 'user' && /restore-checkpoint/.test(i.html)));
      assert.match(turn.text, /Restore checkpoint/);
      // Replayed from the server (another session shown, then this one again): the question still offers Restore.
      const { chat } = api.services();
      const sessionId = chat.currentSessionId!;
      await chat.newSession();
      await chat.openSession(sessionId);
      await waitFor('the replayed question to offer Restore', async () => (await api.probe()).items.find((i) => i.id === turn.id && /restore-checkpoint/.test(i.html)));

      // The user changes the file after the turn.
      const document = await vscode.workspace.openTextDocument(notes());
      const edit = new vscode.WorkspaceEdit();
      edit.insert(document.uri, new vscode.Position(0, 0), 'my own line\n');
      await vscode.workspace.applyEdit(edit);
      await document.save();

      const asked: string[] = [];
      const declined = await api.services().review.checkpoints.restore(turn.id, async (message, detail) => (asked.push(`${message}\n${detail}`), false));
      assert.equal(declined, 0);
      assert.ok(existsSync(notes()), 'declining changes nothing');
      assert.match(asked[0], /^Restore 1 file to how it was before this turn\?/);
      assert.match(asked[0], /1 of them changed after the turn/);
      assert.match(asked[0], /punie-notes\.md \(will be deleted\) — changed since; those changes will be lost/);

      assert.equal(await api.services().review.checkpoints.restore(turn.id, async () => true), 1);
      await waitFor('the new file to be gone again', () => !existsSync(notes()));
      assert.ok((await api.probe()).items.some((i) => i.kind === 'notice' && /Restored 1 file from the checkpoint/.test(i.text)));
    });

    it('in a git workspace keeps the checkpoint as a ref under refs/punie/, leaving index and branches alone, and restores from it', async () => {
      const api = await punie();
      const dir = workspaceDir();
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
      git('init', '-q');
      try {
        git('add', 'README.md');
        const status = git('status', '--porcelain');
        await vscode.commands.executeCommand('punie.newSession');
        await vscode.commands.executeCommand('punie.ask', 'Look at README.md and run `true`');
        assert.match(readFileSync(notes(), 'utf8'), /\(reviewed\)/);
        const turn = await waitFor('the turn with a checkpoint', async () => [...(await api.probe()).items].reverse().find((i) => i.kind === 'user' && /restore-checkpoint/.test(i.html)));
        const refs = await waitFor('the checkpoint ref', () => git('for-each-ref', '--format=%(refname)', 'refs/punie/checkpoints/') || undefined);
        assert.match(refs, /^refs\/punie\/checkpoints\/\S+\n$/);
        const added = git('status', '--porcelain').split('\n').filter((l) => !status.split('\n').includes(l));
        assert.deepEqual(added, ['?? punie-notes.md'], 'the index holds what the user staged, nothing more');
        assert.equal(git('for-each-ref', 'refs/heads'), '', 'no branch made');
        assert.equal(await api.services().review.checkpoints.restore(turn.id, async () => true), 1);
        await waitFor('the new file to be gone again', () => !existsSync(notes()));
      } finally {
        rmSync(path.join(dir, '.git'), { recursive: true, force: true });
      }
    });
  });
});
