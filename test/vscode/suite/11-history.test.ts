import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { agentText, punie, settingsForSuite, waitFor } from './helpers';

/** The chat's sessions are the server's: kept across restarts, listed, opened, renamed, deleted, and several running at once. */
describe('durable chat sessions and the History list', () => {
  settingsForSuite({ 'punie.server.mode': 'local', 'punie.model': 'test' });

  const userTexts = async () => (await (await punie()).probe()).items.filter((i) => i.kind === 'user').map((i) => i.text);

  it('a restarted local server: the chat reattaches the same session from its data dir and the agent remembers it', async () => {
    const api = await punie();
    const { chat } = api.services();
    await vscode.commands.executeCommand('punie.newSession');
    await vscode.commands.executeCommand('punie.ask', 'first question');
    const sessionId = chat.currentSessionId;
    assert.ok(sessionId);
    await vscode.commands.executeCommand('punie.restartLocalServer');
    await vscode.commands.executeCommand('punie.ask', 'second question');
    assert.equal(chat.currentSessionId, sessionId, 'the same session goes on');
    const report = await api.probe();
    assert.match(agentText(report), /You asked: second question\s+Earlier in this conversation you asked: first question/);
    assert.deepEqual(await userTexts(), ['first question', 'second question'], 'the transcript is the replayed session, the new question last');
    assert.ok(!report.items.some((i) => i.kind === 'notice' && /new session|could not be found/.test(i.text)), 'nothing was reported lost');
  });

  it('History lists this folder\'s sessions; one opens with its conversation replayed, can be renamed and deleted', async () => {
    const api = await punie();
    const { chat, history } = api.services();
    const first = chat.currentSessionId!;
    await vscode.commands.executeCommand('punie.newSession');
    assert.deepEqual(await userTexts(), [], 'New Session clears the chat');
    await vscode.commands.executeCommand('punie.ask', 'another topic');
    const second = chat.currentSessionId!;
    assert.notEqual(second, first);
    const listed = await history.list();
    assert.deepEqual(listed.slice(0, 2).map((s) => [s.sessionId, s.title]), [[second, 'another topic'], [first, 'first question']], 'newest first, titled by the first question; the previous session stayed');

    await chat.openSession(first);
    assert.equal(chat.currentSessionId, first);
    assert.deepEqual(await userTexts(), ['first question', 'second question'], 'opened from the server, replayed');
    await vscode.commands.executeCommand('punie.ask', 'third question');
    assert.match(agentText(await api.probe()), /Earlier in this conversation you asked: first question/);

    await history.rename(second, 'Renamed topic');
    assert.equal((await history.list()).find((s) => s.sessionId === second)?.title, 'Renamed topic');
    await history.remove(second);
    assert.ok(!(await history.list()).some((s) => s.sessionId === second), 'deleted');
    await assert.rejects(chat.openSession(second), /not found/i, 'a deleted session cannot be opened');
    assert.equal(chat.currentSessionId, first, 'a failed open leaves the chat where it was');

    await history.remove(first);
    assert.equal(chat.currentSessionId, undefined, 'deleting the session shown starts over');
    assert.deepEqual(await userTexts(), []);
  });

  it('two sessions run at once: the one not shown keeps streaming, shows running in the list, and its full answer is there when opened', async () => {
    const api = await punie();
    const { chat, history } = api.services();
    await vscode.workspace.getConfiguration().update('punie.model', 'test?delayMs=30', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('punie.newSession');
    const askingA = chat.ask('slow question A');
    await waitFor('A to start answering', async () => /You asked/.test(agentText(await api.probe())));
    const a = chat.currentSessionId!;
    await chat.newSession();
    assert.equal(chat.busy, false, 'the new chat is not busy');
    const askingB = chat.ask('slow question B');
    await waitFor('B to start answering', async () => /You asked: slow question B/.test(agentText(await api.probe())));
    const b = chat.currentSessionId!;
    assert.deepEqual([...chat.runningSessions].sort(), [a, b].sort(), 'both turns run');
    const listed = await history.list();
    assert.equal(listed.find((s) => s.sessionId === a)?._meta?.running, true, 'the list marks A running');
    await Promise.all([askingA, askingB]);
    assert.equal(chat.runningSessions.size, 0);
    assert.match(agentText(await api.probe()), /You asked: slow question B[\s\S]*asks for them/, 'B answered in full');
    await chat.openSession(a);
    const report = await api.probe();
    assert.match(agentText(report), /You asked: slow question A[\s\S]*asks for them/, 'A finished while not shown, and its whole answer is in its log');
    assert.ok(!/slow question B/.test(agentText(report)), 'no output of B leaked into A');
    await vscode.workspace.getConfiguration().update('punie.model', 'test', vscode.ConfigurationTarget.Global);
  });

  it("a background session's permission prompt stays out of the chat being viewed, survives the switch, and is answered in its own chat", async () => {
    const api = await punie();
    const { chat, permissions } = api.services();
    const { background, viewed } = await twoSessions(chat, 'background topic', 'viewed topic');
    assert.notEqual(viewed, background);
    const options = [
      { optionId: 'allow', name: 'Allow', kind: 'allow_once' },
      { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
    ];
    let settled = false;
    const answer = api.agentRequest('session/request_permission', { sessionId: background, toolCall: { toolCallId: 'call-bg', title: 'Write background.txt', kind: 'edit' }, options }).finally(() => (settled = true));
    await waitFor('the background prompt to wait', () => permissions.waitingSessions.has(background));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!(await api.probe()).items.some((i) => i.kind === 'permission'), 'no prompt in the chat being viewed');
    await chat.openSession(background);
    const card = await waitFor('the prompt in its own chat', async () => (await api.probe()).items.find((i) => i.kind === 'permission' && /Write background\.txt/.test(i.text)));
    assert.equal(settled, false, 'the switch answered nothing');
    await chat.openSession(viewed);
    assert.ok(!(await api.probe()).items.some((i) => i.kind === 'permission'), 'switched away: the prompt left the chat again');
    await chat.openSession(background);
    const again = await waitFor('the prompt back in its chat', async () => (await api.probe()).items.find((i) => i.kind === 'permission' && /Write background\.txt/.test(i.text)));
    assert.equal(again.id, card.id, 'the same prompt, once');
    await api.choosePermission(card.id, 'reject');
    assert.deepEqual(await answer, { outcome: { outcome: 'selected', optionId: 'reject' } });
    assert.equal(permissions.waitingSessions.size, 0);
  });

  it("a background session's notification offers to show that session, and the prompt is answered there", async () => {
    const api = await punie();
    const { chat, permissions } = api.services();
    const { background } = await twoSessions(chat, 'asks in the background', 'the one on screen');
    const asked: string[][] = [];
    const window = vscode.window as { showWarningMessage: unknown };
    const original = window.showWarningMessage;
    window.showWarningMessage = (message: string, ...buttons: { title: string }[]) => {
      asked.push([message, ...buttons.map((b) => b.title)]);
      return Promise.resolve(buttons.find((b) => b.title === 'Show Conversation'));
    };
    try {
      const options = [{ optionId: 'allow', name: 'Allow', kind: 'allow_once' }];
      const answer = api.agentRequest('session/request_permission', { sessionId: background, toolCall: { toolCallId: 'call-show', title: 'Write shown.txt', kind: 'edit' }, options });
      await waitFor('the session shown from the notification', () => chat.currentSessionId === background);
      assert.deepEqual(asked, [['A background Punie session asks to write shown.txt', 'Allow', 'Show Conversation']]);
      const card = await waitFor('the prompt in its chat', async () => (await api.probe()).items.find((i) => i.kind === 'permission' && /Write shown\.txt/.test(i.text)));
      assert.ok(permissions.waitingSessions.has(background), 'showing it answered nothing');
      await api.choosePermission(card.id, 'allow');
      assert.deepEqual(await answer, { outcome: { outcome: 'selected', optionId: 'allow' } });
    } finally {
      window.showWarningMessage = original;
    }
  });
});

/** Two new sessions, one question each: the first is left in the background, the second is shown. */
async function twoSessions(chat: { readonly currentSessionId: string | undefined }, first: string, second: string): Promise<{ background: string; viewed: string }> {
  await vscode.commands.executeCommand('punie.newSession');
  await vscode.commands.executeCommand('punie.ask', first);
  const background = chat.currentSessionId!;
  await vscode.commands.executeCommand('punie.newSession');
  await vscode.commands.executeCommand('punie.ask', second);
  return { background, viewed: chat.currentSessionId! };
}
